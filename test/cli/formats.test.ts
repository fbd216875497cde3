// --format junit / github and diagnose's issuer fallback, through the built binary, plus the
// escaping rules of both renderers on hostile text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConfigStore } from '../../src/config/store.js';
import { renderGithubAnnotations } from '../../src/report/github.js';
import { renderJunit } from '../../src/report/junit.js';
import type { DiagnoseResult } from '../../src/result.js';
import { runCli, tempDir, writeTemp } from '../support/cli.ts';
import { type OidcIssuer, startOidcIssuer } from '../support/oidc-issuer.ts';
import { createTestPki } from '../support/pki.ts';

let issuer: OidcIssuer;
let dir: string;
let ca: string;

beforeAll(async () => {
  const pki = await createTestPki();
  dir = tempDir();
  ca = writeTemp(dir, 'ca.pem', pki.root.certPem);
  issuer = await startOidcIssuer({ tls: pki.leaf, clients: [] });
});
afterAll(async () => {
  await issuer?.close();
});

/** Tags open and close in order: enough to catch broken escaping or nesting. */
function wellFormed(xml: string): boolean {
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([A-Za-z][\w-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (closing) {
      if (stack.pop() !== name) return false;
    } else stack.push(name ?? '');
  }
  return stack.length === 0;
}

describe('--format junit', () => {
  it('reports each check as a testcase named by its stable id, failures typed by code', async () => {
    const r = await runCli(
      [
        'diagnose',
        '--issuer',
        issuer.issuer,
        '--issuer',
        'https://acme-admin.okta.com',
        '--format',
        'junit',
        '--timeout',
        '3',
      ],
      { env: { CORTEX_SSO_PUBLIC_CA_FILE: ca } },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(wellFormed(r.stdout)).toBe(true);
    expect(r.stdout.match(/<testsuite /g)?.length).toBe(2);
    expect(r.stdout).toContain(`<testsuite name="${issuer.issuer}" tests="10" failures="0"`);
    expect(r.stdout).toContain('<testcase classname="https://acme-admin.okta.com" name="issuer-url"');
    expect(r.stdout).toContain('<failure type="ISSUER_ADMIN_DOMAIN"');
    expect(r.stdout).toMatch(/<testsuites name="cortex-sso diagnose" tests="20" failures="1" skipped="9"/);
  });

  it('escapes what it did not write itself', () => {
    const result: DiagnoseResult = {
      schemaVersion: 1,
      ok: false,
      results: [
        {
          issuer: 'https://x.example/"a"&<b>',
          input: 'x',
          ok: false,
          checks: [
            {
              id: 'discovery',
              status: 'fail',
              code: 'DISCOVERY_NOT_JSON',
              title: "it's <html>",
              detail: 'a\u0000b & </failure>',
              durationMs: 1,
            },
          ],
        },
      ],
    };
    const xml = renderJunit(result);
    expect(wellFormed(xml)).toBe(true);
    expect(xml).toContain('name="https://x.example/&quot;a&quot;&amp;&lt;b&gt;"');
    expect(xml).toContain('ab &amp; &lt;/failure&gt;');
    expect(xml).not.toContain('\u0000');
  });
});

describe('--format github', () => {
  it('prints annotations and the report, and appends a job summary', async () => {
    const summary = join(dir, 'summary.md');
    const r = await runCli(['diagnose', '--issuer', 'acme-admin.okta.com', '--format', 'github'], {
      env: { GITHUB_STEP_SUMMARY: summary },
    });
    expect(r.code).toBe(1);
    const first = r.stdout.split('\n')[0] ?? '';
    expect(first).toMatch(
      /^::error title=cortex-sso issuer-url \[ISSUER_ADMIN_DOMAIN\]%3A .*%2C not an issuer::/,
    );
    expect(first).toContain('%0AFix: Use https://acme.okta.com');
    expect(r.stdout).toMatch(/FAILED: 1 failed/);
    const md = readFileSync(summary, 'utf8');
    expect(md).toMatch(/^### cortex-sso: sign-in checks failed/);
    expect(md).toContain(
      '| ❌ | issuer-url | This is the Okta admin console, not an issuer | ISSUER_ADMIN_DOMAIN | Use https://acme.okta.com |',
    );
  });

  it('escapes workflow-command syntax inside messages', () => {
    const out = renderGithubAnnotations({
      schemaVersion: 1,
      ok: false,
      results: [
        {
          issuer: 'i',
          input: 'i',
          ok: false,
          checks: [
            {
              id: 'clock',
              status: 'warn',
              code: 'CLOCK_SKEW',
              title: 'a: b, c',
              detail: '100%\nnext::line',
              durationMs: 0,
            },
          ],
        },
      ],
    });
    expect(out).toBe(
      '::warning title=cortex-sso clock [CLOCK_SKEW]%3A a%3A b%2C c::i%0A100%25%0Anext::line\n',
    );
  });

  it('refuses an unknown format with exit 2', async () => {
    const r = await runCli(['diagnose', '--issuer', 'x.okta.com', '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are text, json, junit, github/);
  });
});

describe('diagnose without --issuer', () => {
  it('checks CORTEX_SSO_ISSUER, else the issuer saved in the profile', async () => {
    const fromEnv = await runCli(['diagnose', '--json'], {
      env: { CORTEX_SSO_ISSUER: 'https://acme-admin.okta.com' },
    });
    expect(JSON.parse(fromEnv.stdout).results[0].input).toBe('https://acme-admin.okta.com');

    const configDir = tempDir();
    openConfigStore({ dir: configDir }).setProfile('work', {
      type: 'okta',
      clientId: '0oa1',
      issuer: issuer.issuer,
    });
    const fromProfile = await runCli(['diagnose', '--profile', 'work', '--json', '--timeout', '3'], {
      env: { CORTEX_SSO_CONFIG_DIR: configDir, CORTEX_SSO_PUBLIC_CA_FILE: ca },
    });
    expect(fromProfile.code).toBe(0);
    expect(JSON.parse(fromProfile.stdout).results[0].issuer).toBe(issuer.issuer);

    const none = await runCli(['diagnose'], { env: { CORTEX_SSO_CONFIG_DIR: configDir } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/missing --issuer.*CORTEX_SSO_ISSUER.*connector set/);
  });
});

describe('usage errors keep the output contract', () => {
  it('a usage error under --format junit is a valid JUnit document with one failing testcase', async () => {
    const r = await runCli(['diagnose', '--issuer', 'acme.okta.com', '--bogus', '--format', 'junit']);
    expect(r.code).toBe(2);
    expect(r.stdout.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(wellFormed(r.stdout)).toBe(true);
    expect(r.stdout.match(/<testcase /g)?.length).toBe(1);
    expect(r.stdout).toMatch(/<testsuites name="cortex-sso diagnose" tests="1" failures="1"/);
    expect(r.stdout).toContain('<failure type="USAGE" message="unknown option &apos;--bogus&apos;"');
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
  });

  it('an error found by the command (--issuer "") under --format=junit is a JUnit failure too', async () => {
    const r = await runCli(['diagnose', '--issuer', '', '--format=junit']);
    expect(r.code).toBe(2);
    expect(wellFormed(r.stdout)).toBe(true);
    expect(r.stdout).toContain('<failure type="USAGE" message="--issuer is empty');
  });

  it('--json with --format junit is a conflict (exit 2), not a silent pick', async () => {
    const r = await runCli(['diagnose', '--issuer', 'acme.okta.com', '--json', '--format', 'junit']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --json and --format junit conflict/);
    expect(JSON.parse(r.stdout).error.code).toBe('USAGE');
    // Saying the same thing twice is not a conflict.
    const same = await runCli(['diagnose', '--issuer', '', '--json', '--format', 'json']);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/--issuer is empty/);
  });

  it('--issuer "" is a usage error (exit 2) naming the flag, for diagnose, verify and set', async () => {
    for (const args of [
      ['diagnose', '--issuer', ''],
      ['diagnose', '--issuer', 'acme.okta.com', '--issuer', '  '],
      ['connector', 'verify', '--issuer', '', '--client-id', '0oa1'],
      ['connector', 'set', '--type', 'okta', '--issuer', '', '--no-input'],
    ]) {
      const r = await runCli(args, { env: { CORTEX_SSO_CONFIG_DIR: tempDir() } });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^error: --issuer is empty: give the Okta issuer, e\.g\./);
      expect(r.stdout).toBe('');
    }
  });

  it('--help lists exit code 130 (interrupted)', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}130 +interrupted \(Ctrl\+C\)/m);
  });
});

describe('advice that helps', () => {
  it('--profile nope names the unknown profile and lists the saved ones', async () => {
    const configDir = tempDir();
    const store = openConfigStore({ dir: configDir });
    store.setProfile('work', { type: 'okta', clientId: '0oa1', issuer: 'https://acme.okta.com' });
    store.setProfile('staging', { type: 'okta', clientId: '0oa2', issuer: 'https://acme.oktapreview.com' });
    for (const args of [
      ['diagnose', '--profile', 'nope'],
      ['connector', 'verify', '--profile', 'nope'],
    ]) {
      const r = await runCli(args, { env: { CORTEX_SSO_CONFIG_DIR: configDir } });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error: unknown profile "nope".*saved profiles: staging, work/);
      expect(r.stderr).not.toMatch(/missing --issuer/);
    }
    const none = await runCli(['diagnose', '--profile', 'ghost'], {
      env: { CORTEX_SSO_CONFIG_DIR: tempDir() },
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /unknown profile "ghost".*no profile is saved yet.*connector set --profile NAME/,
    );
  });

  it('CONFIG_INVALID says its sentence once, naming the file', async () => {
    const configDir = tempDir();
    const file = writeTemp(configDir, 'config.json', '{not json');
    const r = await runCli(['diagnose'], { env: { CORTEX_SSO_CONFIG_DIR: configDir } });
    expect(r.code).toBe(1);
    const first = r.stderr.split('\n')[0] ?? '';
    expect(first).toBe(`error: The config file ${file} is not valid JSON.`);
    expect(r.stderr.match(/The config file/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/^Fix: Fix or remove the file/m);
  });

  it('suggested issuers are exact: no trailing slash added to a bare origin', async () => {
    for (const input of [
      'ftp://acme.okta.com/',
      'http://acme.okta.com/',
      'https://acme-admin.okta.com/',
      'https://u:p@acme.okta.com/',
      'https://acme.okta.com/?x=1',
    ]) {
      const r = await runCli(['diagnose', '--issuer', input, '--json']);
      const advice: string = JSON.parse(r.stdout).results[0].checks[0].advice;
      expect(advice, input).toMatch(/https:\/\/acme\.okta\.com(?![/\w])/);
      expect(advice, input).not.toMatch(/https:\/\/acme\.okta\.com\//);
    }
  });

  it('no error falls back to "Correct the value named in the message."', async () => {
    const r = await runCli(['auth', 'login', '--with-token'], {
      env: { CORTEX_SSO_CONFIG_DIR: tempDir() },
      stdin: 'two words\n',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: The API token read from stdin contains whitespace/);
    expect(r.stderr).not.toContain('Correct the value named in the message');
    expect(r.stderr).toMatch(/^Fix: Give the value in the form the message asks for: URLs https/m);
  });
});
