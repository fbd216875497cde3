// The code table (src/codes.ts) against its docs and the tests: docs/codes.md is generated from it,
// no advice ever suggests turning verification off, and every code is asserted by some test (inside an
// expect statement, not merely mentioned). This is a static scan: it proves an assertion exists, not
// that its scenario ran; the scenarios themselves are in the tests it points at.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCodesDoc } from '../scripts/codes-doc.ts';
import { CODES, type Code, docsAnchor } from '../src/codes.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const SELF = 'test/codes.test.ts';

/**
 * Codes no test can produce for real on this machine. Keep it minimal, and justify each entry.
 * Empty today: every code is asserted by a scenario (test/cli/diagnose.test.ts for the whole diagnose
 * checklist through the built binary; the per-check, net, cortex, secrets and config tests for the rest).
 * An entry here is also checked to be really missing, so a stale one fails the suite.
 */
const NOT_PRODUCIBLE: Partial<Record<Code, string>> = {};

/** Phrases that would tell a user to turn certificate verification off. */
const INSECURE_ADVICE = [
  /NODE_TLS_REJECT_UNAUTHORIZED/i,
  /rejectUnauthorized/i,
  /--insecure/i,
  /(^|[\s`'"(])-k([\s`'")]|$)/,
  /--no-verify/i,
  /\b(disabl|turn(ing)? off|skip(ping)?)\w*\s+(the\s+)?(certificate\s+|tls\s+|ssl\s+)?(verification|validation|checks?)\b/i,
  /strict-ssl\s*(=|\s)\s*false/i,
];

function suggestsInsecure(text: string): boolean {
  return INSECURE_ADVICE.some((re) => re.test(text));
}

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(p));
    else if (entry.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/**
 * The statements of a test file that assert something: a call to `expect(...)` or to an assertion
 * helper named `expect...(...)` (expectCode, expectFailure). A statement ends at a `;` before a line
 * break, so a multi-line `expect(x).toMatchObject({ code: 'CODE' })` is one statement.
 */
function assertingStatements(source: string): string[] {
  return source.split(/;\s*\n/).filter((st) => /\bexpect\w*\s*\(/.test(st));
}

/**
 * Codes that no test asserts: the code must appear as a quoted literal ('CODE', "CODE", `CODE`, or
 * "[CODE]" as the text output shows it) inside an asserting statement of some test file but this
 * one. A code only mentioned (a comment, a table no assertion reads, a variable) does not count.
 */
function unasserted(codes: readonly string[], sources = testSources()): string[] {
  const statements = sources.flatMap(assertingStatements);
  return codes.filter((code) => {
    const literal = new RegExp(`(['"\`])${code}\\1|\\[${code}\\]`);
    return !statements.some((st) => literal.test(st));
  });
}

function testSources(): string[] {
  return testFiles(join(ROOT, 'test'))
    .filter((f) => relative(ROOT, f) !== SELF)
    .map((f) => readFileSync(f, 'utf8'));
}

describe('docs/codes.md', () => {
  it('is exactly what scripts/codes-doc.ts generates (run `node scripts/codes-doc.ts` if stale)', () => {
    const onDisk = readFileSync(join(ROOT, 'docs/codes.md'), 'utf8');
    expect(onDisk).toBe(renderCodesDoc());
  });

  it('has an anchor for every code', () => {
    const doc = renderCodesDoc();
    for (const code of Object.keys(CODES) as Code[]) {
      expect(doc).toContain(`### ${code}\n`);
      expect(docsAnchor(code)).toBe(`docs/codes.md#${code.toLowerCase()}`);
    }
  });
});

describe('advice', () => {
  it('never suggests disabling certificate verification', () => {
    const offenders = Object.entries(CODES)
      .filter(([, info]) => suggestsInsecure(`${info.title}\n${info.cause}\n${info.advice}`))
      .map(([code]) => code);
    expect(offenders).toEqual([]);
  });

  it('the detector catches the usual ways of saying it', () => {
    for (const bad of [
      'Set NODE_TLS_REJECT_UNAUTHORIZED=0 and retry.',
      'Pass rejectUnauthorized: false.',
      'Use curl --insecure to check.',
      'Try `curl -k https://acme.okta.com`.',
      'Disable certificate verification for this host.',
      'As a workaround, turn off TLS verification.',
      'npm config set strict-ssl false',
    ]) {
      expect(suggestsInsecure(bad), bad).toBe(true);
    }
    for (const good of Object.values(CODES).map((c) => c.advice))
      expect(suggestsInsecure(good), good).toBe(false);
    expect(suggestsInsecure('Check the -kind of token (k8s).')).toBe(false);
  });

  it('every code has a title, a cause and advice, each non-empty', () => {
    for (const [code, info] of Object.entries(CODES)) {
      expect(info.title.trim(), code).not.toBe('');
      expect(info.cause.trim(), code).not.toBe('');
      expect(info.advice.trim(), code).not.toBe('');
      expect(info.title, code).not.toContain('\n');
    }
  });
});

describe('every code is produced by a real scenario', () => {
  it('each code is asserted (inside an expect statement) in some test (allow-list aside)', () => {
    const missing = unasserted(Object.keys(CODES)).filter((c) => !(c in NOT_PRODUCIBLE));
    expect(missing, `codes no test asserts: ${missing.join(', ')}`).toEqual([]);
  });

  it('the allow-list holds only real codes that are really never asserted', () => {
    const listed = Object.keys(NOT_PRODUCIBLE);
    for (const c of listed) expect(Object.keys(CODES), c).toContain(c);
    expect(unasserted(listed)).toEqual(listed);
  });

  it('the scan can fail: a code nobody asserts is reported', () => {
    expect(unasserted(['NO_SUCH_CODE_ANYWHERE', 'DNS_NOT_FOUND'])).toEqual(['NO_SUCH_CODE_ANYWHERE']);
  });

  it('a code that is only mentioned, not asserted, does not count', () => {
    const mentioned = [
      "// TCP_REFUSED is what a closed port gives\nconst cases = ['TCP_REFUSED'];\nrun(cases);\n",
      "const code = 'TCP_REFUSED';\nexpect(out.code).toBe(code);\n",
    ];
    expect(unasserted(['TCP_REFUSED'], mentioned)).toEqual(['TCP_REFUSED']);
    const asserted = ["expect(checkOf(doc, 'tcp')).toMatchObject({\n  code: 'TCP_REFUSED',\n});\n"];
    expect(unasserted(['TCP_REFUSED'], asserted)).toEqual([]);
    expect(unasserted(['TCP_REFUSED'], ["await expectFailure(url, 'tcp', 'TCP_REFUSED');\n"])).toEqual([]);
  });
});
