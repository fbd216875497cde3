// The connector lifecycle as a user's shell or CI runs it: the real binary, the reference Cortex
// API, a real OpenID provider over HTTPS, and the real Secret Service on a private bus.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ApiServer } from '../../src/cortex/server.js';
import { raw } from '../support/api-server.ts';
import { type CliResult, runCli, tempDir } from '../support/cli.ts';
import { startConnectorWorld } from '../support/connector-world.ts';
import { secretTool } from '../support/keyring.ts';
import type { OidcIssuer } from '../support/oidc-issuer.ts';
import { startProxy } from '../support/proxy-server.ts';

const skip = inject('keyringSkipReason');
const CLIENT_ID = '0oa1a2b3c4d5e6f7g8h9';
const OTHER_CLIENT_ID = '0oa9z8y7x6w5v4u3t2s1';
const SECRET = `CANARY${randomBytes(20).toString('hex')}`;
const OTHER_SECRET = `OTHER${randomBytes(20).toString('hex')}`;
const TOKEN = `TOKEN${randomBytes(16).toString('hex')}`;
const CALLBACK = 'https://cortexapp.auth0.com/login/callback';

let issuer: OidcIssuer;
let api: ApiServer;
let dir: string;
let caFile: string;
let n = 0;
const outputs: string[] = [];

/** Acts on the API server "meanwhile": set per test, run before each request is handled. */
let meanwhile: ((r: { method: string; path: string }) => Promise<void> | void) | undefined;

function env(profile: string, extra: Record<string, string | undefined> = {}) {
  return {
    CORTEX_API_URL: api.url,
    CORTEX_API_TOKEN: TOKEN,
    CORTEX_SSO_CONFIG_DIR: dir,
    CORTEX_SSO_PUBLIC_CA_FILE: caFile,
    CORTEX_SSO_PROFILE: profile,
    ...extra,
  };
}

async function cli(
  args: string[],
  e: Record<string, string | undefined>,
  stdin?: string,
): Promise<CliResult> {
  const r = await runCli(args, { env: e, ...(stdin !== undefined ? { stdin } : {}) });
  outputs.push(r.stdout, r.stderr, r.argv.join(' '));
  return r;
}

function setArgs(issuerUrl = issuer.issuer, clientId = CLIENT_ID): string[] {
  return [
    'connector',
    'set',
    '--type',
    'okta',
    '--client-id',
    clientId,
    '--issuer',
    issuerUrl,
    '--client-secret-stdin',
  ];
}

function profile(): string {
  n += 1;
  return `t${n}-${process.pid}`;
}

async function stored(p: string): Promise<string> {
  const bus = { env: { DBUS_SESSION_BUS_ADDRESS: inject('keyringBusAddress') } };
  const r = await secretTool(bus, ['lookup', 'service', 'cortex-sso', 'username', `client-secret:${p}`]);
  return r.stdout;
}

beforeAll(async () => {
  dir = tempDir();
  ({ issuer, api, caFile } = await startConnectorWorld({
    caDir: dir,
    clients: [
      { clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [CALLBACK] },
      {
        clientId: OTHER_CLIENT_ID,
        clientSecret: OTHER_SECRET,
        redirectUris: ['https://elsewhere.example/cb'],
      },
    ],
    api: { tokens: [TOKEN], beforeHandle: (r) => meanwhile?.(r) },
  }));
});

afterAll(async () => {
  await api?.close();
  await issuer?.close();
  // The canary: neither secret nor token was ever printed, logged or passed in argv.
  const all = outputs.join('\n');
  expect(all).not.toContain(SECRET);
  expect(all).not.toContain(TOKEN);
  for (const f of readdirSync(dir)) {
    const text = readFileSync(join(dir, f), 'utf8');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(TOKEN);
  }
});

describe.skipIf(skip !== '')('connector lifecycle (real keychain, real issuer, reference API)', () => {
  it('set -> show -> verify -> delete, with the secret only in the keychain', async () => {
    const p = profile();
    const set = await cli([...setArgs(), '--json'], env(p), `${SECRET}\n`);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    const doc = JSON.parse(set.stdout);
    expect(doc).toMatchObject({
      ok: true,
      pushed: true,
      profile: p,
      values: { clientId: CLIENT_ID, issuer: issuer.issuer },
    });
    expect(doc.values.clientSecretLastFour).toBe(SECRET.slice(-4));
    expect(doc.preflight.ok).toBe(true);
    const ids = doc.preflight.results[0].checks.map(
      (c: { id: string; status: string }) => `${c.id}:${c.status}`,
    );
    expect(ids).toEqual(
      expect.arrayContaining(['credentials:pass', 'redirect-uri:pass', 'cortex-side:pass', 'discovery:pass']),
    );
    expect(api.connector()).toMatchObject({
      clientId: CLIENT_ID,
      issuer: issuer.issuer,
      clientSecretLastFour: SECRET.slice(-4),
    });
    expect(await stored(p)).toBe(SECRET);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.profiles[p]).toMatchObject({ type: 'okta', clientId: CLIENT_ID, issuer: issuer.issuer });

    const show = await cli(['connector', 'show', '--json'], env(p));
    expect(show.code).toBe(0);
    const shown = JSON.parse(show.stdout);
    expect(shown.drift).toEqual([]);
    expect(shown.remote.clientSecretLastFour).toBe(SECRET.slice(-4));
    expect(shown.local.secret.lastFour).toBe(SECRET.slice(-4));

    const showText = await cli(['connector', 'show'], env(p));
    expect(showText.stdout).toContain(`****${SECRET.slice(-4)}`);
    expect(showText.stdout).toMatch(/match the live connector/);

    const verify = await cli(['connector', 'verify', '--json', '--verbose'], env(p));
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ schemaVersion: 1, ok: true, profile: p });

    const del = await cli(['connector', 'delete', '--yes', '--json'], env(p));
    expect(del.code).toBe(0);
    expect(JSON.parse(del.stdout)).toMatchObject({
      remoteDeleted: true,
      secretDeleted: true,
      configUpdated: true,
    });
    expect(api.connector()).toBeNull();
    expect(await stored(p)).toBe('');
  });

  it('lists every missing input without a terminal, exits 2 and changes nothing', async () => {
    const p = profile();
    const before = api.requests.length;
    const r = await cli(['connector', 'set'], env(p));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--type okta/);
    expect(r.stderr).toMatch(/--client-id ID or CORTEX_SSO_CLIENT_ID/);
    expect(r.stderr).toMatch(/--client-secret-stdin .* or CORTEX_SSO_CLIENT_SECRET/);
    expect(r.stderr).toMatch(/--issuer URL or CORTEX_SSO_ISSUER/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(api.requests.length).toBe(before);
  });

  it('never takes the secret as a flag value', async () => {
    const typed = `typed-${SECRET.slice(0, 24)}`;
    const r = await cli(['connector', 'set', '--type', 'okta', '--client-secret', typed], env(profile()));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--client-secret is not accepted/);
    expect(r.stderr).toMatch(/--client-secret-stdin/);
    expect(r.stderr).not.toContain(typed);
    const help = await cli(['connector', 'set', '--help'], env(profile()));
    expect(help.stdout).not.toMatch(/--client-secret </);
  });

  it('takes every value from the environment (CI style)', async () => {
    const p = profile();
    const r = await cli(
      ['connector', 'set', '--type', 'okta', '--json'],
      env(p, {
        CI: 'true',
        CORTEX_SSO_CLIENT_ID: CLIENT_ID,
        CORTEX_SSO_ISSUER: `${issuer.issuer}/`,
        CORTEX_SSO_CLIENT_SECRET: SECRET,
      }),
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.values.sources).toEqual({ type: 'flag', clientId: 'env', issuer: 'env', clientSecret: 'env' });
    expect(doc.values.issuer).toBe(issuer.issuer); // trailing slash normalized, and said so
    expect(doc.notes.join(' ')).toMatch(/trailing slash/);
  });

  it('refuses to push a wrong secret, and keeps what was stored before', async () => {
    const p = profile();
    expect((await cli(setArgs(), env(p), SECRET)).code).toBe(0);
    const version = api.connector()?.version;

    const r = await cli(setArgs(), env(p), `wrong-${SECRET.slice(0, 30)}`);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/CREDENTIALS_INVALID/);
    expect(r.stdout).toMatch(/Not pushed/);
    expect(api.connector()?.version).toBe(version);
    expect(await stored(p)).toBe(SECRET);
  });

  it('names an unknown client ID and an unregistered redirect URI with the exact value to add', async () => {
    const unknown = await cli(
      [...setArgs(issuer.issuer, '0oaUNKNOWN0000000000'), '--json'],
      env(profile()),
      SECRET,
    );
    expect(unknown.code).toBe(1);
    const checks = JSON.parse(unknown.stdout).preflight.results[0].checks;
    expect(checks.find((c: { id: string }) => c.id === 'credentials')).toMatchObject({
      status: 'fail',
      code: 'CLIENT_UNKNOWN',
    });

    const redirect = await cli(
      [...setArgs(issuer.issuer, OTHER_CLIENT_ID), '--json'],
      env(profile()),
      OTHER_SECRET,
    );
    expect(redirect.code).toBe(1);
    const doc = JSON.parse(redirect.stdout);
    expect(doc).toMatchObject({ ok: false, pushed: false, code: 'PREFLIGHT_FAILED' });
    const rc = doc.preflight.results[0].checks.find((c: { id: string }) => c.id === 'redirect-uri');
    expect(rc).toMatchObject({ status: 'fail', code: 'REDIRECT_URI_NOT_REGISTERED' });
    expect(`${rc.detail} ${rc.advice}`).toContain(CALLBACK);
  });

  it('--dry-run shows the change against the live connector and changes nothing', async () => {
    const p = profile();
    // Live: the other app (pushed with --force: its redirect URI is not Cortex's).
    expect(
      (await cli([...setArgs(issuer.issuer, OTHER_CLIENT_ID), '--force'], env(p), OTHER_SECRET)).code,
    ).toBe(0);
    const version = api.connector()?.version;
    const r = await cli([...setArgs(`${issuer.issuer}/`), '--dry-run'], env(p), SECRET);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`clientId      ${OTHER_CLIENT_ID} → ${CLIENT_ID}`);
    expect(r.stdout).toContain(`clientSecret  ****${OTHER_SECRET.slice(-4)} → ****${SECRET.slice(-4)}`);
    expect(r.stdout).toMatch(/Dry run: pre-flight passed; nothing was changed/);
    expect(api.connector()?.version).toBe(version);
    expect(await stored(p)).toBe(OTHER_SECRET);

    const failing = await cli([...setArgs(), '--dry-run', '--json'], env(p), `${SECRET.slice(0, -4)}ZZZZ`);
    expect(failing.code).toBe(1);
    expect(JSON.parse(failing.stdout)).toMatchObject({ dryRun: true, pushed: false, ok: false });
  });

  it('--force pushes despite a failed pre-flight, and says so', async () => {
    const p = profile();
    const r = await cli([...setArgs(), '--force', '--json'], env(p), `wrong-${SECRET.slice(0, 30)}`);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ pushed: true, forced: true });
  });

  it('retries a 429 from the API (honouring Retry-After) and succeeds', async () => {
    const p = profile();
    const arrived = new WeakMap<object, number>();
    meanwhile = (q) => {
      arrived.set(q, performance.now());
    };
    api.failNext(1, 429, 1);
    const r = await cli([...setArgs(), '--json'], env(p), SECRET);
    meanwhile = undefined;
    expect(r.code).toBe(0);
    const limited = api.requests.findIndex((q) => q.status === 429);
    expect(limited).toBeGreaterThanOrEqual(0);
    // The retry came after the 1 s Retry-After asked for, and not much later.
    const retry = api.requests[limited + 1];
    const waited = (arrived.get(retry ?? {}) ?? Number.NaN) - (arrived.get(api.requests[limited] ?? {}) ?? 0);
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(5_000);
  });

  it('reports a concurrent change (412) instead of overwriting it, leaving local state alone', async () => {
    const p = profile();
    expect((await cli(setArgs(), env(p), SECRET)).code).toBe(0);
    meanwhile = async (q) => {
      if (q.method === 'PUT' && meanwhile) {
        meanwhile = undefined;
        // Another admin saves a change between our read and our write.
        await raw(api.url, 'PUT', '/api/v1/sso/openid-connector', {
          token: TOKEN,
          body: {
            type: 'okta',
            clientId: OTHER_CLIENT_ID,
            clientSecret: OTHER_SECRET,
            issuer: issuer.issuer,
          },
        });
      }
    };
    const r = await cli(setArgs(), env(p), SECRET);
    meanwhile = undefined;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/changed|412|conflict/i);
    expect(api.connector()?.clientId).toBe(OTHER_CLIENT_ID);
    expect(await stored(p)).toBe(SECRET);
  });

  it('API down in the middle of set: nothing local changes', async () => {
    const p = profile();
    expect((await cli(setArgs(), env(p), SECRET)).code).toBe(0);
    const configBefore = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).profiles[p];
    meanwhile = (q) => {
      // Exactly the client's three tries, so later tests start with a healthy API.
      if (q.method === 'PUT') {
        meanwhile = undefined;
        api.failNext(3, 503);
      }
    };
    // Forced past the failing pre-flight, so that the change reaches the PUT, which meets the outage.
    const r = await cli([...setArgs(issuer.issuer, OTHER_CLIENT_ID), '--force'], env(p), OTHER_SECRET);
    meanwhile = undefined;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not reachable|503/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await stored(p)).toBe(SECRET);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).profiles[p]).toEqual(configBefore);
    expect(api.connector()?.clientId).toBe(CLIENT_ID);
  });

  it('works in CI with no keychain at all: secrets from the environment, nothing stored, nothing prompted', async () => {
    const p = profile();
    const ci = env(p, {
      CI: 'true',
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cortex-sso-test-bus',
      CORTEX_SSO_CLIENT_ID: CLIENT_ID,
      CORTEX_SSO_ISSUER: issuer.issuer,
      CORTEX_SSO_CLIENT_SECRET: SECRET,
    });
    const set = await cli(['connector', 'set', '--type', 'okta', '--json'], ci);
    expect(set.code, set.stderr + set.stdout).toBe(0);
    const doc = JSON.parse(set.stdout);
    expect(doc).toMatchObject({ pushed: true, stored: { secret: 'not-stored' } });
    expect(doc.notes.join(' ')).toMatch(/not stored locally/);

    const verify = await cli(['connector', 'verify', '--json'], { ...ci, CORTEX_API_TOKEN: undefined });
    expect(verify.code, verify.stderr + verify.stdout).toBe(0);
    const checks = JSON.parse(verify.stdout).results[0].checks;
    expect(checks.find((c: { id: string }) => c.id === 'credentials')?.status).toBe('pass');
    expect(checks.find((c: { id: string }) => c.id === 'cortex-side')?.status).toBe('skip');

    // Without the secret in the environment, the missing keychain is named with the fix.
    const noSecret = await cli(['connector', 'verify'], { ...ci, CORTEX_SSO_CLIENT_SECRET: undefined });
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr).toMatch(/KEYCHAIN_UNAVAILABLE|keychain/i);
    expect(noSecret.stderr).toMatch(/CORTEX_SSO_CLIENT_SECRET/);
  });

  it('reaches the Cortex API through HTTPS_PROXY / HTTP_PROXY, and around it with NO_PROXY', async () => {
    const proxy = await startProxy();
    try {
      const p = profile();
      expect((await cli(setArgs(), env(p), SECRET)).code).toBe(0);
      const apiHost = new URL(api.url).host;

      const via = await cli(['connector', 'show', '--json'], env(p, { HTTP_PROXY: proxy.url }));
      expect(via.code).toBe(0);
      expect(JSON.parse(via.stdout).remote.clientId).toBe(CLIENT_ID);
      expect(proxy.forwards).toContain(apiHost);

      const before = proxy.forwards.length;
      const around = await cli(
        ['connector', 'show', '--json'],
        env(p, { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }),
      );
      expect(around.code).toBe(0);
      expect(JSON.parse(around.stdout).remote.clientId).toBe(CLIENT_ID);
      expect(proxy.forwards.length).toBe(before);
    } finally {
      await proxy.close();
    }
  });

  it('on a fresh machine without a keychain, says what is missing in plain words', async () => {
    const fresh = {
      CORTEX_SSO_CONFIG_DIR: tempDir(),
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cortex-sso-test-bus',
      CORTEX_API_TOKEN: undefined,
    };
    const verify = await cli(['connector', 'verify'], fresh);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toMatch(/Nothing to verify for profile "default"/);
    expect(verify.stderr.match(/the client secret/g)?.length).toBe(1);
    expect(verify.stderr).not.toMatch(/DBus|Platform failure/);

    const show = await cli(['connector', 'show'], fresh);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/client secret unreadable \[KEYCHAIN_UNAVAILABLE\]\s/);
    expect(show.stdout).toMatch(/Cortex API token of profile "default".*not available/);
    expect(show.stdout.match(/Fix: /g)?.length).toBe(1);
    expect(show.stdout).not.toMatch(/client-secret:default|api-token:default/);
  });
});
