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
