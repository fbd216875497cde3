// `cortex-sso okta audit` and `auth login --okta` through the built binary, as a shell or CI runs
// them, against the Okta-like server's management API on 127.0.0.1. The Okta API token travels only
// through the environment, stdin or the keychain, and never comes back out: not in stdout, stderr,
// the JSON or JUnit documents, argv, or the settings file.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CliResult, runCli, tempDir, writeTemp } from '../support/cli.ts';
import { secretTool } from '../support/keyring.ts';
import { type OktaLike, startOktaLike } from '../support/okta-like.ts';
import { type OktaManagementState, oktaApp, oktaFixture, oktaPolicy } from '../support/okta-management.ts';
import { createTestPki } from '../support/pki.ts';

const skipKeyring = inject('keyringSkipReason');
const bus = inject('keyringBusAddress');

const TOKEN = `00${randomBytes(20).toString('base64url')}`;
const STORED_TOKEN = `00${randomBytes(20).toString('base64url')}`;
const WRONG_TOKEN = `00${randomBytes(20).toString('base64url')}`;
const GOOD = '0oagoodCLI000000001';
const LOCKED = '0oalockedCLI0000002';

let okta: OktaLike;
let caFile: string;
const dir = tempDir();
const outputs: string[] = [];

beforeAll(async () => {
  const pki = await createTestPki();
  caFile = writeTemp(dir, 'ca.pem', pki.root.certPem);
  const users = oktaFixture<Record<string, unknown>[]>('app-users.json');
  const state: OktaManagementState = {
    token: TOKEN,
    apps: {
      [GOOD]: oktaApp({ id: GOOD }),
      [LOCKED]: oktaApp({ id: LOCKED, status: 'INACTIVE', grantTypes: ['implicit'] }),
    },
    assignments: { [GOOD]: { users } },
    authServers: {
      default: [
        oktaPolicy({
          id: '00pcli',
          clients: [GOOD],
          rules: [{ id: '0prcli', grantTypes: ['authorization_code'] }],
        }),
      ],
    },
  };
  okta = await startOktaLike({ tls: pki.leaf, clients: [], management: state });
});
afterAll(async () => {
  await okta?.close();
});

function env(extra: Record<string, string | undefined> = {}) {
  return {
    CORTEX_SSO_CONFIG_DIR: dir,
    CORTEX_SSO_PUBLIC_CA_FILE: caFile,
    CORTEX_SSO_PROFILE: `okta-${process.pid}`,
    OKTA_API_TOKEN: TOKEN,
    CI: 'true',
    ...extra,
  };
}

async function cli(
  args: string[],
  e: Record<string, string | undefined>,
  stdin?: string,
): Promise<CliResult> {
  const r = await runCli(args, { env: e, timeoutMs: 30_000, ...(stdin !== undefined ? { stdin } : {}) });
  outputs.push(r.stdout, r.stderr, r.argv.join(' '));
  return r;
}

const audit = (clientId: string, ...more: string[]) => [
  'okta',
  'audit',
  '--client-id',
  clientId,
  '--issuer',
  okta.issuer,
  ...more,
];

describe('okta audit (built binary)', () => {
  it('passes a correct app: exit 0, every okta-* check in the JSON document', async () => {
    const r = await cli(audit(GOOD, '--json'), env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      clientId: string;
      results: Array<{ checks: Array<{ id: string; status: string }> }>;
    };
    expect(doc).toMatchObject({ schemaVersion: 1, ok: true, clientId: GOOD });
    const ids = doc.results[0]!.checks.map((c) => `${c.id}:${c.status}`);
    expect(ids).toContain('okta-api:pass');
    expect(ids).toContain('okta-policy:pass');
    expect(ids).toContain('okta-assign:pass');
  });

  it('names every lock-out of a broken app in text, with the fix, and exits 1', async () => {
    const r = await cli(audit(LOCKED), env());
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[OKTA_APP_INACTIVE]');
    expect(r.stdout).toContain('[OKTA_GRANT_MISSING]');
    expect(r.stdout).toContain('[OKTA_NO_ASSIGNMENTS]');
    expect(r.stdout).toContain('[OKTA_NO_MATCHING_POLICY]');
    expect(r.stdout).toContain('Activate');
    expect(r.stdout).not.toMatch(/\n\s+at .*\.js:\d+/); // no stack trace
  });

  it('reports in JUnit like the other checks: one testcase per check, failures marked', async () => {
    const r = await cli(audit(LOCKED, '--format', 'junit'), env());
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('okta-grant');
    expect(r.stdout).toMatch(/<failure[^>]*OKTA_GRANT_MISSING/);
  });

  it('a wrong token: OKTA_TOKEN_INVALID, exit 1, and the token is not repeated', async () => {
    const r = await cli(audit(GOOD, '--json'), env({ OKTA_API_TOKEN: WRONG_TOKEN }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('"OKTA_TOKEN_INVALID"');
    expect(r.stdout + r.stderr).not.toContain(WRONG_TOKEN);
  });

  it('an issuer the parser refuses (the admin console) fails issuer-url with exit 1, as diagnose and verify do', async () => {
    const args = ['okta', 'audit', '--client-id', GOOD, '--issuer', 'https://acme-admin.okta.com', '--json'];
    const r = await cli(args, env());
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      results: Array<{ checks: Array<{ id: string; status: string; code?: string }> }>;
    };
    expect(doc.ok).toBe(false);
    const checks = doc.results[0]!.checks;
    expect(checks[0]).toMatchObject({ id: 'issuer-url', status: 'fail', code: 'ISSUER_ADMIN_DOMAIN' });
    const okta = checks.filter((c) => c.id.startsWith('okta-'));
    expect(okta.length).toBeGreaterThan(5); // every okta-* check is listed, each skipped
    expect(okta.every((c) => c.status === 'skip')).toBe(true);
    const diagnose = await cli(['diagnose', '--issuer', 'https://acme-admin.okta.com', '--json'], env());
    expect(diagnose.code).toBe(1);
    const d = JSON.parse(diagnose.stdout) as {
      results: Array<{ checks: Array<{ id: string; code?: string }> }>;
    };
    expect(d.results[0]!.checks[0]).toMatchObject({ id: 'issuer-url', code: 'ISSUER_ADMIN_DOMAIN' });
  });

  it('no token anywhere: a clear usage error (exit 2) naming OKTA_API_TOKEN and auth login --okta', async () => {
    const r = await cli(
      audit(GOOD, '--json'),
      env({ OKTA_API_TOKEN: undefined, DBUS_SESSION_BUS_ADDRESS: undefined }),
    );
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as { error: { code: string; detail: string } };
    expect(doc.error.code).toBe('INPUT_MISSING');
    expect(doc.error.detail).toContain('OKTA_API_TOKEN');
    expect(doc.error.detail).toContain('auth login --okta');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.skipIf(skipKeyring !== '')('auth login --okta (real keychain)', () => {
  const p = `okta-kc-${process.pid}`;
  it('stores the token from stdin; okta audit uses it; status and logout name it; nothing prints it', async () => {
    const e = env({ CORTEX_SSO_PROFILE: p, OKTA_API_TOKEN: undefined, DBUS_SESSION_BUS_ADDRESS: bus });
    const login = await cli(['auth', 'login', '--okta', '--with-token'], e, `${TOKEN}\n`);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`Stored the Okta API token (****${TOKEN.slice(-4)})`);
    const stored = await secretTool({ env: { DBUS_SESSION_BUS_ADDRESS: bus } }, [
      'lookup',
      'service',
      'cortex-sso',
      'username',
      `okta-api-token:${p}`,
    ]);
    expect(stored.stdout).toBe(TOKEN);

    const status = await cli(['auth', 'status', '--okta', '--json'], e);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ source: 'keychain', okta: true });

    const r = await cli(audit(GOOD, '--json'), e);
    expect(r.code).toBe(0);

    const out = await cli(['auth', 'logout', '--okta'], e);
    expect(out.stdout).toContain('Removed the stored Okta API token');
    const after = await cli(['auth', 'status', '--okta'], e);
    expect(after.code).toBe(1);
    expect(after.stdout).toContain('no Okta API token');
  });

  it('without --with-token and without a terminal: a clear error, nothing stored', async () => {
    const e = env({ CORTEX_SSO_PROFILE: p, OKTA_API_TOKEN: undefined, DBUS_SESSION_BUS_ADDRESS: bus });
    const r = await cli(['auth', 'login', '--okta'], e, STORED_TOKEN);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--with-token');
  });
});

describe('the Okta API token never leaks, and Okta is never written to', () => {
  it('no token in any stdout, stderr, argv or settings file of the runs above', () => {
    const all = outputs.join('\n');
    for (const t of [TOKEN, STORED_TOKEN, WRONG_TOKEN]) expect(all.includes(t), 'a token leaked').toBe(false);
    for (const f of readdirSync(dir)) {
      if (f.endsWith('.pem')) continue;
      const text = readFileSync(join(dir, f), 'utf8');
      for (const t of [TOKEN, STORED_TOKEN]) expect(text.includes(t)).toBe(false);
    }
    expect(outputs.length).toBeGreaterThan(10);
  });

  it('every request the binary sent to the management API was a GET', () => {
    const api = okta.requests.filter((q) => q.path.startsWith('/api/v1/'));
    expect(api.length).toBeGreaterThan(5);
    expect([...new Set(api.map((q) => q.method))]).toEqual(['GET']);
  });
});
