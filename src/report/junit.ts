import type { Code } from '../codes.js';
import type { Io } from '../io.js';
import type { DiagnoseResult } from '../result.js';
import type { ErrorInfo } from './output.js';

/** XML 1.0 text/attribute escaping; control characters other than tab/newline are dropped. */
function xmlChar(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return (
    c === 0x9 ||
    c === 0xa ||
    c === 0xd ||
    (c >= 0x20 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    c >= 0x10000
  );
}

function esc(s: string): string {
  return Array.from(s)
    .filter(xmlChar)
    .join('')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/**
 * JUnit XML (the format CI systems show as test reports): one <testsuite> per issuer, one <testcase>
 * per check. fail -> <failure type=CODE>, skip -> <skipped>, warn -> a pass with the warning in
 * <system-out> (under --strict the runner already made it a fail).
 */
export function renderJunit(result: DiagnoseResult, name = 'cortex-sso diagnose'): string {
  const all = result.results.flatMap((t) => t.checks);
  const count = (s: string) => all.filter((c) => c.status === s).length;
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${esc(name)}" tests="${all.length}" failures="${count('fail')}" skipped="${count('skip')}" time="${secs(all.reduce((a, c) => a + c.durationMs, 0))}">`,
  ];
  for (const t of result.results) {
    const fails = t.checks.filter((c) => c.status === 'fail').length;
    const skips = t.checks.filter((c) => c.status === 'skip').length;
    const time = t.checks.reduce((a, c) => a + c.durationMs, 0);
    out.push(
      `  <testsuite name="${esc(t.issuer)}" tests="${t.checks.length}" failures="${fails}" errors="0" skipped="${skips}" time="${secs(time)}">`,
    );
    for (const c of t.checks) {
      // The name is the stable check id, so CI test history follows a check across runs.
      const open = `    <testcase classname="${esc(t.issuer)}" name="${esc(c.id)}" time="${secs(c.durationMs)}"`;
      const findings = c.findings ?? [];
      const body =
        findings.length > 1
          ? [c.title, ...findings.map((f) => `${f.status} [${f.code}] ${f.message}\nFix: ${f.advice}`)].join(
              '\n',
            )
          : [c.title, c.detail, c.advice ? `Fix: ${c.advice}` : undefined].filter(Boolean).join('\n');
      if (c.status === 'fail') {
        out.push(
          `${open}>`,
          `      <failure type="${esc(c.code ?? 'FAILED')}" message="${esc(c.title)}">${esc(body)}</failure>`,
          '    </testcase>',
        );
      } else if (c.status === 'skip') {
        out.push(`${open}>`, `      <skipped message="${esc(c.title)}"/>`, '    </testcase>');
      } else if (c.status === 'warn') {
        out.push(
          `${open}>`,
          `      <system-out>${esc(`warning [${c.code ?? ''}] ${body}`)}</system-out>`,
          '    </testcase>',
        );
      } else {
        out.push(`${open}/>`);
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

/** Under --format junit an error is still a valid JUnit document: one failing test case, typed by code. */
export async function writeJunitError(io: Io, argv: readonly string[], error: ErrorInfo): Promise<void> {
  const firstFlag = argv.findIndex((a) => a.startsWith('-'));
  const words = (firstFlag === -1 ? argv : argv.slice(0, firstFlag)).slice(0, 2);
  const command = ['cortex-sso', ...words.filter((a) => /^[a-z]+$/.test(a))].join(' ');
  io.stdout.write(
    renderJunit(
      {
        schemaVersion: 1,
        ok: false,
        results: [
          {
            issuer: command,
            input: '',
            ok: false,
            checks: [
              {
                id: error.code === 'USAGE' ? 'usage' : 'run',
                status: 'fail',
                code: error.code as Code,
                title: error.message,
                ...(error.detail ? { detail: error.detail } : {}),
                ...(error.advice ? { advice: error.advice } : {}),
                durationMs: 0,
              },
            ],
          },
        ],
      },
      command,
    ),
  );
}
