import { Chalk, type ChalkInstance } from 'chalk';
import { showsDetail } from '../checks/index.js';
import type { CheckResult, CheckStatus, DiagnoseResult, TargetReport } from '../result.js';

export interface TextOptions {
  color: 0 | 1 | 2 | 3;
  verbose?: boolean;
}

const SYMBOL: Record<CheckStatus, string> = { pass: '✔', warn: '!', fail: '✖', skip: '-' };

export function painter(level: TextOptions['color']): ChalkInstance {
  return new Chalk({ level });
}

function paintStatus(c: ChalkInstance, status: CheckStatus, s: string): string {
  switch (status) {
    case 'pass':
      return c.green(s);
    case 'warn':
      return c.yellow(s);
    case 'fail':
      return c.red(s);
    default:
      return c.dim(s);
  }
}

function indent(text: string, pad: string): string {
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

/** The check-id column: 12 characters, or as wide as the longest id in the list, plus one space. */
const ID_COLUMN = 12;

export function renderCheckLine(
  r: CheckResult,
  c: ChalkInstance,
  verbose = false,
  idWidth = ID_COLUMN,
): string {
  const id = `${r.id.padEnd(idWidth)} `;
  const time = r.status === 'skip' ? '' : c.dim(` ${r.durationMs}ms`);
  const code = r.code ? c.dim(` [${r.code}]`) : '';
  const lines = [`  ${paintStatus(c, r.status, SYMBOL[r.status])} ${c.bold(id)}${r.title}${code}${time}`];
  const fix = (advice: string, pad: string) => indent(`Fix: ${advice}`, pad).replace(/Fix:/, c.cyan('Fix:'));
  const findings = r.findings ?? [];
  if (findings.length > 1) {
    // Several problems: each with its own code and fix, most urgent first.
    if (verbose && r.detail) lines.push(indent(r.detail, '      '));
    for (const f of findings) {
      lines.push(
        `      ${paintStatus(c, f.status, SYMBOL[f.status])} ${indent(f.message, '        ').trimStart()}${c.dim(` [${f.code}]`)}`,
      );
      lines.push(fix(f.advice, '        '));
    }
    return lines.join('\n');
  }
  const showDetail = r.detail && (verbose || r.status === 'fail' || r.status === 'warn' || showsDetail(r.id));
  if (showDetail) lines.push(indent(r.detail as string, '      '));
  if (r.advice && (r.status === 'fail' || r.status === 'warn')) {
    lines.push(fix(r.advice, '      '));
  }
  return lines.join('\n');
}

export function renderTarget(t: TargetReport, opts: TextOptions): string {
  const c = painter(opts.color);
  const head = `${c.bold(t.issuer)}${t.input.trim() !== t.issuer ? c.dim(` (from "${t.input.trim()}")`) : ''}`;
  // One column for the whole list, so titles line up even after a long id (cortex-connection).
  const width = Math.max(ID_COLUMN, ...t.checks.map((r) => r.id.length));
  return [head, ...t.checks.map((r) => renderCheckLine(r, c, opts.verbose, width))].join('\n');
}

export function summarize(checks: CheckResult[]): string {
  const n = (s: CheckStatus) => checks.filter((x) => x.status === s).length;
  const parts = [
    `${n('fail')} failed`,
    `${n('warn')} warning${n('warn') === 1 ? '' : 's'}`,
    `${n('pass')} passed`,
  ];
  if (n('skip')) parts.push(`${n('skip')} skipped`);
  return parts.join(', ');
}

export function renderDiagnose(result: DiagnoseResult, opts: TextOptions): string {
  const c = painter(opts.color);
  const blocks = result.results.map((t) => renderTarget(t, opts));
  const all = result.results.flatMap((t) => t.checks);
  const verdict = result.ok ? c.green('OK') : c.red('FAILED');
  return `${blocks.join('\n\n')}\n\n${verdict}: ${summarize(all)}\n`;
}

/** `okta audit`: which app and profile, then its checklist. */
export function renderAudit(
  r: DiagnoseResult & { clientId: string; profile: string; redirectUri: string },
  opts: TextOptions,
): string {
  const c = painter(opts.color);
  const head = c.bold(
    `Okta audit of app ${r.clientId} (profile "${r.profile}", redirect URI ${r.redirectUri})`,
  );
  return `${head}\n\n${renderDiagnose(r, opts)}`;
}
