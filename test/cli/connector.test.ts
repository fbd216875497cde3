// The connector lifecycle as a user's shell or CI runs it: the real binary, the reference Cortex
// API serving Cortex's real SSO routes (both possible POST semantics), a real OpenID provider over
// HTTPS, and the real Secret Service on a private bus.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CortexApi, startCortexApi } from '../../src/sandbox/cortex-api.js';
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
const LIST = '/api/v1/sso/configurations';
const SAML = { connectionId: 'saml-1', type: 'SAML', metadataUrl: 'https://idp.example.test/metadata' };

let issuer: OidcIssuer;
/** POST adds a connection (the conservative reading of Cortex's unknown semantics). */
let api: CortexApi;
/** POST replaces the existing connection of the same type. */
let replacing: CortexApi;
let dir: string;
let caFile: string;
let n = 0;
const outputs: string[] = [];

/** Acts on the API server "meanwhile": set per test, run before each request is handled. */
let meanwhile: ((r: { method: string; path: string }) => Promise<void> | void) | undefined;

function env(profile: string, extra: Record<string, string | undefined> = {}, server: CortexApi = api) {
  return {
    CORTEX_BASE_URL: server.url,
    CORTEX_API_KEY: TOKEN,
    CORTEX_SSO_CONFIG_DIR: dir,
    CORTEX_SSO_PUBLIC_CA_FILE: caFile,
    CORTEX_SSO_PROFILE: profile,
    // Never the developer's own Cortex CLI config.
    CORTEX_CONFIG: join(dir, 'no-cortex-cli-config'),
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

function config(p: string): Record<string, string> | undefined {
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).profiles[p];
}

/** OIDC connections the API holds now, as Cortex lists them. */
async function oidc(server: CortexApi = api): Promise<Array<Record<string, string>>> {
  const r = await raw(server.url, 'GET', LIST, { token: TOKEN });
  const list = (
    Array.isArray(r.json) ? r.json : (r.json as { configurations: unknown[] }).configurations
  ) as Array<Record<string, string>>;
  return list.filter((c) => c.issuerUri !== undefined);
}

/** Deletes every connection through the API (test setup; the tool itself never does this). */
async function clear(server: CortexApi = api): Promise<void> {
  for (const c of await oidc(server))
    await raw(server.url, 'DELETE', `${LIST}/${c.connectionId}`, { token: TOKEN });
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
    api: { tokens: [TOKEN], seed: [SAML], beforeHandle: (r) => meanwhile?.(r) },
  }));
  replacing = await startCortexApi({ tokens: [TOKEN], postMode: 'replace', listShape: 'array' });
});

afterAll(async () => {
  await api?.close();
  await replacing?.close();
  await issuer?.close();
  // The canary: neither secret nor key was ever printed, logged or passed in argv.
  const all = outputs.join('\n');
  for (const s of [SECRET, OTHER_SECRET, TOKEN]) expect(all).not.toContain(s);
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    const text = readFileSync(join(dir, f), 'utf8');
    for (const s of [SECRET, OTHER_SECRET, TOKEN]) expect(text).not.toContain(s);
  }
  // The tool never called "delete all", and never touched the SAML configuration.
  expect(api.requests.some((q) => q.method === 'DELETE' && q.path === LIST)).toBe(false);
  expect(replacing.requests.some((q) => q.method === 'DELETE' && q.path === LIST)).toBe(false);
  expect(api.requests.some((q) => q.path.endsWith('/saml-1') && q.method !== 'GET')).toBe(false);
});

describe.skipIf(skip !== '')(
  'connector lifecycle on Cortex’s routes (real keychain, real issuer)',
  { timeout: 90_000 },
  () => {
    it('set -> show -> verify -> delete, with the secret only in the keychain', async () => {
      await clear();
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
      expect(doc.preflight.ok).toBe(true);
      const ids = doc.preflight.results[0].checks.map(
        (c: { id: string; status: string }) => `${c.id}:${c.status}`,
      );
      expect(ids).toEqual(
        expect.arrayContaining(['credentials:pass', 'redirect-uri:pass', 'discovery:pass']),
      );

      // Cortex received exactly what its own CLI would send, and holds it.
      const post = api.requests.filter((q) => q.method === 'POST');
      expect(post.at(-1)?.path).toBe('/api/v1/sso/oidc/configurations');
      const live = await oidc();
      expect(live).toEqual([
        {
          connectionId: doc.pushedConnection.connectionId,
          connectionType: 'OKTA',
          type: 'client_secret_basic',
          id: CLIENT_ID,
          issuerUri: issuer.issuer,
        },
      ]);
      expect(api.secretMatches(live[0]?.connectionId ?? '', SECRET)).toBe(true);
      expect(await stored(p)).toBe(SECRET);
      expect(config(p)).toMatchObject({
        type: 'okta',
        clientId: CLIENT_ID,
        issuer: issuer.issuer,
        connectionId: live[0]?.connectionId,
        apiUrl: api.url,
      });

      const show = await cli(['connector', 'show', '--json'], env(p));
      expect(show.code).toBe(0);
      const shown = JSON.parse(show.stdout);
      expect(shown).toMatchObject({ ok: true, drift: [], apiKeySource: 'CORTEX_API_KEY' });
      expect(shown.remote.connection).toMatchObject({
        connectionId: live[0]?.connectionId,
        clientId: CLIENT_ID,
      });
      expect(shown.remote.otherCount).toBe(1); // the SAML configuration, counted, not shown
      expect(shown.local.secret.lastFour).toBe(SECRET.slice(-4));
      const showText = await cli(['connector', 'show'], env(p));
      expect(showText.stdout).toMatch(/The profile matches Cortex's connection/);

      const verify = await cli(['connector', 'verify', '--json', '--verbose'], env(p));
      expect(verify.code).toBe(0);
      const v = JSON.parse(verify.stdout);
      expect(v).toMatchObject({ schemaVersion: 1, ok: true, profile: p });
      expect(v.results[0].checks.find((c: { id: string }) => c.id === 'cortex-connection')).toMatchObject({
        status: 'pass',
      });

      const del = await cli(['connector', 'delete', '--yes', '--json'], env(p));
      expect(del.code).toBe(0);
      expect(JSON.parse(del.stdout)).toMatchObject({
        remoteDeleted: true,
        secretDeleted: true,
        configUpdated: true,
      });
      expect(await oidc()).toEqual([]);
      expect(api.requests.filter((q) => q.method === 'DELETE').at(-1)).toMatchObject({
        path: `${LIST}/${live[0]?.connectionId}`,
      });
      expect(await stored(p)).toBe('');
      // The SAML configuration is still there.
      const all = await raw(api.url, 'GET', LIST, { token: TOKEN });
      expect(JSON.stringify(all.json)).toContain('saml-1');
    });

    it.each([
      ['adds (POST appends a connection)', () => api],
      ['replaces (POST swaps the connection itself)', () => replacing],
    ])(
      'rotating the secret when Cortex %s ends with exactly one connection holding the new secret',
      async (_n, server) => {
        const s = server();
        await clear(s);
        const p = profile();
        // Live: a connection holding a stale secret (pushed with --force past the failing pre-flight).
        const stale = `stale-${SECRET.slice(0, 30)}`;
        expect((await cli([...setArgs(), '--force'], env(p, {}, s), stale)).code).toBe(0);
        const first = (await oidc(s))[0]?.connectionId;
        expect(s.secretMatches(first ?? '', stale)).toBe(true);
        // The admin copies the current secret from Okta and pushes it.
        const r = await cli([...setArgs(), '--json'], env(p, {}, s), SECRET);
        expect(r.code, r.stderr).toBe(0);
        const doc = JSON.parse(r.stdout);
        const live = await oidc(s);
        expect(live).toHaveLength(1);
        expect(live[0]?.connectionId).not.toBe(first);
        expect(s.secretMatches(live[0]?.connectionId ?? '', SECRET)).toBe(true);
        expect(doc.removed).toMatchObject({ connection: { connectionId: first } });
        expect(await stored(p)).toBe(SECRET);
        expect(config(p)?.connectionId).toBe(live[0]?.connectionId);
        // The new connection was confirmed in the list before anything was deleted.
        const order = s.requests.map((q) => `${q.method} ${q.path}`);
        const postAt = order.lastIndexOf('POST /api/v1/sso/oidc/configurations');
        expect(order[postAt + 1]).toBe(`GET ${LIST}`);
      },
    );

    it('a failed delete of the old connection keeps both, says so, and changes nothing local', async () => {
      await clear();
      const p = profile();
      expect((await cli(setArgs(), env(p), SECRET)).code).toBe(0);
      const old = (await oidc())[0]?.connectionId ?? '';
      const configBefore = config(p);
      api.failNext(3, 503, { method: 'DELETE' });
      const r = await cli([...setArgs(), '--json'], env(p), SECRET);
      expect(r.code).toBe(1);
      const err = JSON.parse(r.stdout).error;
      expect(err.code).toBe('CONNECTOR_BOTH_KEPT');
      expect(err.message).toContain(old);
      expect(`${err.detail}`).toContain(`connector delete --connection-id ${old}`);
      const live = await oidc();
      expect(live.map((c) => c.connectionId)).toContain(old);
      expect(live).toHaveLength(2);
      expect(config(p)).toEqual(configBefore);
      expect(await stored(p)).toBe(SECRET);

      // The hint works: delete the old one by id, in Cortex only; the profile then finds the new one.
      const del = await cli(['connector', 'delete', '--connection-id', old, '--yes', '--json'], env(p));
      expect(del.code).toBe(0);
      expect(JSON.parse(del.stdout)).toMatchObject({
        remoteDeleted: true,
        secretDeleted: false,
        configUpdated: false,
      });
      expect((await oidc()).map((c) => c.connectionId)).not.toContain(old);
      expect(await stored(p)).toBe(SECRET);
      const show = await cli(['connector', 'show', '--json'], env(p));
      expect(show.code).toBe(0);
      expect(JSON.parse(show.stdout).remote.connection.connectionId).not.toBe(old);
    });

    it('when the new connection cannot be confirmed, the old one is kept and nothing local changes', async () => {
      await clear();
      const p = profile();
      expect((await cli(setArgs(), env(p), SECRET)).code).toBe(0);
      const old = (await oidc())[0]?.connectionId ?? '';
      const configBefore = config(p);
      // Cortex accepts the POST, then its list is down for every retry of the read-back.
      meanwhile = (q) => {
        if (q.method === 'POST') {
          meanwhile = undefined;
          api.failNext(3, 503, { method: 'GET' });
        }
      };
      const r = await cli([...setArgs(), '--json'], env(p), SECRET);
      meanwhile = undefined;
      expect(r.code).toBe(1);
      const err = JSON.parse(r.stdout).error;
      expect(err.code).toBe('CONNECTOR_NOT_CONFIRMED');
      expect(err.message).toContain(`The old connection "${old}"`);
      expect(api.requests.some((q) => q.method === 'DELETE' && q.path.endsWith(`/${old}`))).toBe(false);
      expect((await oidc()).map((c) => c.connectionId)).toContain(old);
      expect(config(p)).toEqual(configBefore);
      expect(await stored(p)).toBe(SECRET);
    });

    it('a POST that fails leaves Cortex, the keychain and the settings as they were, and says so', async () => {
      await clear();
      const p = profile();
      expect((await cli(setArgs(), env(p), SECRET)).code).toBe(0);
      const before = await oidc();
      const configBefore = config(p);
      // A 500 may or may not have applied: the tool looks, and says what it found.
      api.failNext(1, 500, { method: 'POST' });
      const r = await cli(setArgs(), env(p), SECRET);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /Cortex does not list the new connection: nothing changed in Cortex, in the keychain or in the settings/,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(await oidc()).toEqual(before);
      expect(config(p)).toEqual(configBefore);
    });

    it('a change made meanwhile stops the push with CONNECTOR_CHANGED; --force writes anyway', async () => {
      await clear();
      const p = profile();
      expect((await cli(setArgs(), env(p), SECRET)).code).toBe(0);
      const before = await oidc();
      const configBefore = config(p);
      let lists = 0;
      meanwhile = async (q) => {
        if (q.method === 'GET' && q.path === LIST && ++lists === 2) {
          // After our first read, while the pre-flight runs, another admin adds a connection in the UI.
          await raw(api.url, 'POST', '/api/v1/sso/oidc/configurations', {
            token: TOKEN,
            body: {
              type: 'client_secret_basic',
              id: OTHER_CLIENT_ID,
              secret: OTHER_SECRET,
              issuerUri: issuer.issuer,
              connectionType: 'OKTA',
            },
          });
        }
      };
      const posts = () => api.requests.filter((q) => q.method === 'POST').length;
      const postsBefore = posts();
      const r = await cli([...setArgs(), '--json'], env(p), SECRET);
      meanwhile = undefined;
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).error.code).toBe('CONNECTOR_CHANGED');
      const after = await oidc();
      expect(after).toHaveLength(before.length + 1); // only the other admin's change
      expect(api.requests.filter((q) => q.method === 'POST').length).toBeGreaterThan(0);
      expect(posts()).toBe(postsBefore + 1); // the other admin's POST; the refused set sent none
      expect(config(p)).toEqual(configBefore);
      expect(await stored(p)).toBe(SECRET);

      const forced = await cli([...setArgs(), '--force', '--json'], env(p), SECRET);
      expect(forced.code).toBe(0);
      // The profile's connection was replaced; the other admin's connection is left alone.
      expect((await oidc()).map((c) => c.id).sort()).toEqual([CLIENT_ID, OTHER_CLIENT_ID].sort());
    });

    it('a connection dropped in Cortex shows as drift, fails nothing silently, and set creates it again', async () => {
      await clear();
      const p = profile();
      expect((await cli(setArgs(), env(p), SECRET)).code).toBe(0);
      await clear(); // someone deleted it in Cortex's settings
      const show = await cli(['connector', 'show', '--json'], env(p));
      expect(show.code).toBe(1);
      const doc = JSON.parse(show.stdout);
      expect(doc).toMatchObject({ ok: false, code: 'CONNECTOR_DRIFT', remote: { connection: null } });
      expect(doc.drift[0]).toMatchObject({ field: 'connection', remote: null });

      const verify = await cli(['connector', 'verify', '--json'], env(p));
      expect(verify.code).toBe(0); // a warning: the values still work at Okta
      const check = JSON.parse(verify.stdout).results[0].checks.find(
        (c: { id: string }) => c.id === 'cortex-connection',
      );
      expect(check).toMatchObject({ status: 'warn', code: 'CONNECTOR_NOT_FOUND' });
      expect((await cli(['connector', 'verify', '--strict'], env(p))).code).toBe(1);

      const del = await cli(['connector', 'delete', '--yes', '--json'], env(p));
      expect(del.code).toBe(1);
      expect(JSON.parse(del.stdout).error.code).toBe('CONNECTOR_NOT_FOUND');

      expect((await cli(setArgs(), env(p), SECRET)).code).toBe(0);
      expect(await oidc()).toHaveLength(1);
    });

    it('show flags several OIDC connections as drift', async () => {
      await clear();
      const p = profile();
      expect((await cli(setArgs(), env(p), SECRET)).code).toBe(0);
      await raw(api.url, 'POST', '/api/v1/sso/oidc/configurations', {
        token: TOKEN,
        body: {
          type: 'client_secret_basic',
          id: OTHER_CLIENT_ID,
          secret: OTHER_SECRET,
          issuerUri: issuer.issuer,
          connectionType: 'OKTA',
        },
      });
      const show = await cli(['connector', 'show'], env(p));
      expect(show.code).toBe(1);
      expect(show.stdout).toMatch(/Cortex holds 2 OIDC connections/);
      expect(show.stdout).toContain(OTHER_CLIENT_ID);
    });

    it('refuses to push a wrong secret, and keeps what was there before', async () => {
      await clear();
      const p = profile();
      expect((await cli(setArgs(), env(p), SECRET)).code).toBe(0);
      const before = await oidc();
      const r = await cli(setArgs(), env(p), `wrong-${SECRET.slice(0, 30)}`);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/CREDENTIALS_INVALID/);
      expect(r.stdout).toMatch(/Not pushed/);
      expect(await oidc()).toEqual(before);
      expect(await stored(p)).toBe(SECRET);
    });

    it('--dry-run shows the change against Cortex’s connection and changes nothing', async () => {
      await clear();
      const p = profile();
      expect(
        (await cli([...setArgs(issuer.issuer, OTHER_CLIENT_ID), '--force'], env(p), OTHER_SECRET)).code,
      ).toBe(0);
      const before = await oidc();
      const r = await cli([...setArgs(`${issuer.issuer}/`), '--dry-run'], env(p), SECRET);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`clientId      ${OTHER_CLIENT_ID} → ${CLIENT_ID}`);
      expect(r.stdout).toMatch(/Dry run: pre-flight passed; nothing was changed/);
      expect(await oidc()).toEqual(before);
      expect(await stored(p)).toBe(OTHER_SECRET);
    });
  },
);

describe('connector commands that need no keychain (run everywhere, keyring or not)', {
  timeout: 90_000,
}, () => {
  /** No Secret Service reachable: what a CI runner has. */
  const envNK = (p: string, extra: Record<string, string | undefined> = {}, server: CortexApi = api) =>
    env(p, { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cortex-sso-test-bus', ...extra }, server);
  it('lists every missing input without a terminal, exits 2 and changes nothing', async () => {
    const p = profile();
    const before = api.requests.length;
    const r = await cli(['connector', 'set'], envNK(p));
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
    const r = await cli(['connector', 'set', '--type', 'okta', '--client-secret', typed], envNK(profile()));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--client-secret is not accepted/);
    expect(r.stderr).not.toContain(typed);
  });

  it('retries a 429 from the API, waiting as Retry-After says, and succeeds', async () => {
    await clear();
    const p = profile();
    api.failNext(1, 429, { retryAfterSeconds: 1 });
    const started = Date.now();
    const r = await cli([...setArgs(), '--json'], envNK(p), SECRET);
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(api.requests.filter((q) => q.status === 429).length).toBe(1);
  });

  it('the README CI recipe: secret on stdin, no keychain at all, CI=true: pushed, nothing stored, said once', async () => {
    await clear();
    const p = profile();
    const ci = envNK(p, {
      CI: 'true',
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cortex-sso-test-bus',
    });
    const set = await cli([...setArgs(), '--json'], ci, SECRET);
    expect(set.code, set.stderr + set.stdout).toBe(0);
    const doc = JSON.parse(set.stdout);
    expect(doc).toMatchObject({ pushed: true, stored: { secret: 'not-stored' } });
    expect(doc.notes.join(' ')).toMatch(
      /not stored locally; later commands read the secret from CORTEX_SSO_CLIENT_SECRET/,
    );
    expect(await oidc()).toHaveLength(1);

    const verify = await cli(['connector', 'verify', '--json'], {
      ...ci,
      CORTEX_SSO_CLIENT_SECRET: SECRET,
    });
    expect(verify.code, verify.stderr + verify.stdout).toBe(0);

    const noStore = await cli([...setArgs(), '--no-store', '--json'], envNK(profile()), SECRET);
    expect(noStore.code).toBe(0);
    expect(JSON.parse(noStore.stdout).stored.secret).toBe('not-stored');
  });

  it("takes the API key and URL from Cortex CLI's ~/.cortex/config, read-only, and says so", async () => {
    const home = tempDir();
    mkdirSync(join(home, '.cortex'));
    const text = `[default]\napi_key = nope\n\n[acme]\napi_key = ${TOKEN}\nbase_url = ${api.url}/\n`;
    writeFileSync(join(home, '.cortex', 'config'), text);
    const e = {
      ...envNK(profile()),
      CORTEX_API_KEY: undefined,
      CORTEX_BASE_URL: undefined,
      CORTEX_CONFIG: undefined,
      HOME: home,
    };
    const status = await cli(['auth', 'status', '--tenant', 'acme', '--json'], e);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      source: 'cortex-cli',
      where: `${join(home, '.cortex', 'config')} [acme]`,
    });
    const show = await cli(['connector', 'show', '--json'], { ...e, CORTEX_TENANT_ALIAS: 'acme' });
    expect(JSON.parse(show.stdout)).toMatchObject({ apiUrl: api.url });
    expect(JSON.parse(show.stdout).remoteError).toBeUndefined();
    expect(readFileSync(join(home, '.cortex', 'config'), 'utf8')).toBe(text);
    const wrong = await cli(['connector', 'show', '--tenant', 'nope'], e);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/Tenant "nope" is not in .*; it has: default, acme/);
  });

  it('reaches the Cortex API through HTTP_PROXY, and around it with NO_PROXY', async () => {
    const proxy = await startProxy();
    try {
      const p = profile();
      const via = await cli(['connector', 'show', '--json'], envNK(p, { HTTP_PROXY: proxy.url }));
      expect(JSON.parse(via.stdout).remoteError).toBeUndefined();
      expect(proxy.forwards).toContain(new URL(api.url).host);
      const before = proxy.forwards.length;
      const around = await cli(
        ['connector', 'show', '--json'],
        envNK(p, { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }),
      );
      expect(JSON.parse(around.stdout).remoteError).toBeUndefined();
      expect(proxy.forwards.length).toBe(before);
    } finally {
      await proxy.close();
    }
  });
});

describe('a wrong API URL is named, on every command, and nothing local changes', () => {
  let html: Server;
  let htmlUrl: string;
  beforeAll(async () => {
    // What answers when the URL is the web app (app.getcortexapp.com) or a portal: HTML for every path.
    html = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        '<!doctype html><html><head><title>Cortex</title></head><body><div id="root"></div></body></html>',
      );
    });
    await new Promise<void>((r) => html.listen(0, '127.0.0.1', r));
    htmlUrl = `http://127.0.0.1:${(html.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => html.close(r)));

  it.each([[['connector', 'show', '--json']], [['connector', 'delete', '--yes', '--json']]])(
    '%j -> API_BAD_ANSWER naming the URL',
    async (args) => {
      const r = await cli(args, { ...env(profile()), CORTEX_BASE_URL: htmlUrl });
      expect(r.code).toBe(1);
      const doc = JSON.parse(r.stdout);
      const err = doc.error ?? doc.remoteError;
      expect(err.code).toBe('API_BAD_ANSWER');
      expect(err.message).toContain(htmlUrl);
      expect(err.message).not.toMatch(/no connector/i);
    },
  );

  it('a base path that is one level off -> API_NOT_FOUND, "the API URL or route is wrong"', async () => {
    const r = await cli(['connector', 'show', '--json'], {
      ...env(profile()),
      CORTEX_BASE_URL: `${api.url}/api/v1`,
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).remoteError).toMatchObject({ code: 'API_NOT_FOUND' });
    expect(JSON.parse(r.stdout).remoteError.message).toMatch(/API URL or route is wrong/);
  });
});
