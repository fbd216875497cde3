// The Okta-side audit (okta-* checks) through the real runner, against the Okta-like server on
// 127.0.0.1 serving the management API from test/fixtures/okta (shapes from Okta's OpenAPI spec).
// Each scenario is one way a connector locks a workspace out, and the audit must name it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_ORDER, checkIds, loadById } from '../../src/checks/index.js';
import { oktaTokenAccount, oktaTokenIfAvailable } from '../../src/checks/okta-audit.js';
import { runChecks } from '../../src/checks/runner.js';
import type { CheckContext } from '../../src/checks/types.js';
import { closeAll, createDispatcher } from '../../src/net/dispatcher.js';
import { createDefaultResolver } from '../../src/net/resolver.js';
import { createTrustStore } from '../../src/net/trust.ts';
import type { CheckResult, DiagnoseResult } from '../../src/result.js';
import { Secret } from '../../src/secret.js';
import { createMemoryKeychain } from '../support/memory-keychain.ts';
import { type OktaLike, startOktaLike } from '../support/okta-like.ts';
import { type OktaManagementState, oktaApp, oktaFixture, oktaPolicy } from '../support/okta-management.ts';
import { createTestPki, type TestPki } from '../support/pki.ts';

const TOKEN = '00aBcDeFgHiJkLmNoPqRsTuVwXyZ-canary-token-7f3e';
const FORBIDDEN_TOKEN = '00zyxwvutsrq-helpdesk-admin-token-0c1d';
const CORTEX = 'https://cortexapp.auth0.com/login/callback';

const GOOD = '0oagoodAPP000000001';
const INACTIVE = '0oainactive00000002';
const NOBODY = '0oanobody0000000003';
const NO_CODE = '0oanocode0000000004';
const NO_REDIRECT = '0oanoredirect000005';
const POST = '0oapost000000000006';
const SPA = '0oaspa0000000000007';
const ELSEWHERE = '0oaelsewhere0000008';

const assigned = { users: oktaFixture<Record<string, unknown>[]>('app-users.json') };
const groupOnly = { groups: oktaFixture<Record<string, unknown>[]>('app-groups.json') };

function managementState(): OktaManagementState {
  return {
    token: TOKEN,
    forbiddenTokens: [FORBIDDEN_TOKEN],
    apps: {
      [GOOD]: oktaApp({ id: GOOD }),
      [INACTIVE]: oktaApp({ id: INACTIVE, status: 'INACTIVE' }),
      [NOBODY]: oktaApp({ id: NOBODY }),
      [NO_CODE]: oktaApp({ id: NO_CODE, grantTypes: ['client_credentials'] }),
      [NO_REDIRECT]: oktaApp({
        id: NO_REDIRECT,
        redirectUris: ['https://cortexapp.auth0.com/login/callback/'],
      }),
      [POST]: oktaApp({ id: POST, tokenEndpointAuthMethod: 'client_secret_post' }),
      [SPA]: oktaApp({ id: SPA, applicationType: 'browser', tokenEndpointAuthMethod: 'none' }),
      [ELSEWHERE]: oktaApp({ id: ELSEWHERE, initiateLoginUri: 'https://intranet.example.com/start' }),
    },
    assignments: {
      [GOOD]: assigned,
      [INACTIVE]: assigned,
      [NO_CODE]: groupOnly,
      [NO_REDIRECT]: assigned,
      [POST]: assigned,
      [SPA]: assigned,
      [ELSEWHERE]: assigned,
    },
    authServers: {
      default: [
        oktaPolicy({
          id: '00pcortex',
          name: 'Cortex',
          clients: [GOOD, NOBODY, NO_CODE, NO_REDIRECT, POST, SPA, ELSEWHERE, INACTIVE],
          rules: [{ id: '0prcortex', name: 'Sign-in', grantTypes: ['authorization_code'] }],
        }),
      ],
    },
  };
}

let pki: TestPki;
let custom: OktaLike;
let org: OktaLike;

beforeAll(async () => {
  pki = await createTestPki();
  [custom, org] = await Promise.all([
    startOktaLike({ tls: pki.leaf, clients: [], path: '/oauth2/default', management: managementState() }),
    startOktaLike({ tls: pki.leaf, clients: [], path: '', management: managementState() }),
  ]);
});
afterAll(async () => {
  await closeAll();
  await Promise.all([custom?.close(), org?.close()]);
});

function ctx(clientId: string, token: string | null = TOKEN, extra: Partial<CheckContext['options']> = {}) {
  const anchors = [pki.root.certPem];
  const c: CheckContext = {
    options: {
      timeoutMs: 5000,
      warnDays: 30,
      strict: false,
      allowHttpLoopback: false,
      clientId,
      redirectUri: CORTEX,
      ...(token !== null ? { oktaApiToken: new Secret(token) } : {}),
      oktaRateLimitMaxWaitMs: 3000,
      ...extra,
    },
    net: {
      trust: createTrustStore({ env: {}, publicRootsOverride: anchors, includeSystem: false }),
      resolver: { lookup: async () => [] },
      env: {},
      dispatcher: (proxy) => createDispatcher({ ca: anchors, proxy, connectTimeoutMs: 3000 }),
    },
    now: () => new Date(),
  };
  return c;
}

const OKTA_IDS = CHECK_ORDER.filter((id) => id.startsWith('okta-'));
/** The issuer-url check and the okta-* checks (the audit without the proxy check). */
const oktaAuditChecks = () => loadById(['issuer-url', ...OKTA_IDS]);

async function audit(
  server: OktaLike,
  clientId: string,
  token: string | null = TOKEN,
  extra = {},
): Promise<DiagnoseResult> {
  const result = await runChecks([server.issuer], await oktaAuditChecks(), ctx(clientId, token, extra));
  const text = JSON.stringify(result);
  for (const t of [TOKEN, FORBIDDEN_TOKEN]) expect(text).not.toContain(t);
  // The app's client secret is in Okta's answer; the audit never repeats it.
  expect(text).not.toContain('wj9bOsLK0BRNJqy7KMMnaE7m8qrW51bPO2n1');
  return result;
}

function byId(result: DiagnoseResult): Record<string, CheckResult> {
  return Object.fromEntries(result.results[0]!.checks.map((c) => [c.id, c]));
}

function failures(result: DiagnoseResult): string[] {
  return result.results[0]!.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}:${c.code}`);
}

describe('okta audit against a custom authorization server', () => {
  it('passes a correct app: active OIDC web app, code grant, Cortex callback, basic auth, assigned, admitted', async () => {
    const r = await audit(custom, GOOD);
    expect(failures(r)).toEqual([]);
    const c = byId(r);
    for (const id of [
      'okta-api',
      'okta-app',
      'okta-grant',
      'okta-redir',
      'okta-secret',
      'okta-sign-on',
      'okta-assign',
      'okta-policy',
    ]) {
      expect(c[id]?.status, id).toBe('pass');
    }
    expect(r.ok).toBe(true);
    expect(c['okta-policy']?.title).toContain('"Cortex"');
  });

  it('names an inactive app', async () => {
    const r = await audit(custom, INACTIVE);
    expect(byId(r)['okta-app']).toMatchObject({ status: 'fail', code: 'OKTA_APP_INACTIVE' });
    expect(byId(r)['okta-app']?.advice).toContain('Activate');
    expect(r.ok).toBe(false);
  });

  it('names an app nobody is assigned to', async () => {
    const r = await audit(custom, NOBODY);
    expect(failures(r)).toEqual(['okta-assign:OKTA_NO_ASSIGNMENTS']);
    expect(byId(r)['okta-assign']).toMatchObject({ status: 'fail', code: 'OKTA_NO_ASSIGNMENTS' });
    expect(byId(r)['okta-assign']?.advice).toContain('Assignments');
  });

  it('counts a group assignment alone as enough', async () => {
    const r = await audit(custom, NO_CODE);
    expect(byId(r)['okta-assign']).toMatchObject({
      status: 'pass',
      data: { usersAssigned: false, groupsAssigned: true },
    });
  });

  it('names an app without the authorization_code grant', async () => {
    const r = await audit(custom, NO_CODE);
    expect(failures(r)).toEqual(['okta-grant:OKTA_GRANT_MISSING']);
    expect(byId(r)['okta-grant']).toMatchObject({ status: 'fail', code: 'OKTA_GRANT_MISSING' });
    expect(byId(r)['okta-grant']?.detail).toContain('client_credentials');
  });

  it('names a missing redirect URI, and a near miss by a trailing slash', async () => {
    const r = await audit(custom, NO_REDIRECT);
    const c = byId(r)['okta-redir'];
    expect(c).toMatchObject({ status: 'fail', code: 'OKTA_REDIRECT_URI_MISSING' });
    expect(c?.detail).toContain('trailing slash');
    expect(c?.advice).toContain(`Add URI: ${CORTEX}`);
  });

  it('warns on a client_secret_post app, without failing the audit', async () => {
    const r = await audit(custom, POST);
    expect(byId(r)['okta-secret']).toMatchObject({ status: 'warn', code: 'OKTA_AUTH_METHOD_POST' });
    expect(r.ok).toBe(true);
  });

  it('fails a single-page app without a client secret', async () => {
    const r = await audit(custom, SPA);
    expect(failures(r).sort()).toEqual([
      'okta-app:OKTA_APP_NOT_OIDC',
      'okta-secret:OKTA_AUTH_METHOD_UNSUPPORTED',
    ]);
    expect(byId(r)['okta-app']?.detail).toContain('"browser"');
    expect(byId(r)['okta-app']?.code).toBe('OKTA_APP_NOT_OIDC');
    expect(byId(r)['okta-secret']?.code).toBe('OKTA_AUTH_METHOD_UNSUPPORTED');
  });

  it('warns when auto sign-on points elsewhere', async () => {
    const r = await audit(custom, ELSEWHERE);
    expect(byId(r)['okta-sign-on']).toMatchObject({ status: 'warn', code: 'OKTA_INITIATE_LOGIN_URI' });
    expect(byId(r)['okta-sign-on']?.detail).toContain('https://intranet.example.com/start');
  });

  it('fails when no active policy admits the client (a policy for another app, an inactive one)', async () => {
    const state = custom.management!;
    const saved = state.authServers!.default!;
    state.authServers!.default = [
      oktaPolicy({
        id: '00pother',
        name: 'Other app',
        clients: ['0oaother'],
        rules: [{ id: '0pr1', grantTypes: ['authorization_code'] }],
      }),
      oktaPolicy({
        id: '00poff',
        name: 'Switched off',
        status: 'INACTIVE',
        clients: ['ALL_CLIENTS'],
        rules: [{ id: '0pr2', grantTypes: ['authorization_code'] }],
      }),
    ];
    try {
      const r = await audit(custom, GOOD);
      const c = byId(r)['okta-policy'];
      expect(c).toMatchObject({ status: 'fail', code: 'OKTA_NO_MATCHING_POLICY' });
      expect(c?.detail).toContain('"Switched off" (INACTIVE');
      expect(c?.detail).toContain('no_matching_policy');
      expect(c?.advice).toContain(GOOD);
    } finally {
      state.authServers!.default = saved;
    }
  });

  it("fails when the admitting policy's only rule lacks authorization_code", async () => {
    const state = custom.management!;
    const saved = state.authServers!.default!;
    state.authServers!.default = [
      oktaPolicy({
        id: '00pm2m',
        name: 'Machines',
        clients: ['ALL_CLIENTS'],
        rules: [{ id: '0prm2m', name: 'M2M only', grantTypes: ['client_credentials'] }],
      }),
    ];
    try {
      const r = await audit(custom, GOOD);
      const c = byId(r)['okta-policy'];
      expect(c).toMatchObject({ status: 'fail', code: 'OKTA_POLICY_RULE_NO_GRANT' });
      expect(c?.detail).toContain('"M2M only"');
      expect(c?.advice).toContain('"Machines"');
    } finally {
      state.authServers!.default = saved;
    }
  });

  it('follows Link rel="next" through paged policies to the one that admits the app', async () => {
    const state = custom.management!;
    const saved = state.authServers!.default!;
    state.authServers!.default = [
      oktaPolicy({ id: '00pa', clients: ['0oaother'], rules: [] }),
      oktaPolicy({ id: '00pb', clients: ['0oaanother'], rules: [] }),
      oktaPolicy({
        id: '00pc',
        name: 'Third page',
        clients: [GOOD],
        rules: [{ id: '0prc', grantTypes: ['authorization_code'] }],
      }),
    ];
    state.policyPageSize = 1;
    try {
      const r = await audit(custom, GOOD);
      expect(byId(r)['okta-policy']).toMatchObject({ status: 'pass', data: { policyId: '00pc' } });
    } finally {
      state.authServers!.default = saved;
      delete state.policyPageSize;
    }
  });
});

describe("okta audit: Okta's error answers", () => {
  it('a bad token: OKTA_TOKEN_INVALID (401 E0000011), and nothing else is judged', async () => {
    const r = await audit(custom, GOOD, 'not-a-real-token-000000000000');
    const c = byId(r);
    expect(c['okta-api']).toMatchObject({ status: 'fail', code: 'OKTA_TOKEN_INVALID' });
    expect(c['okta-api']?.detail).toContain('E0000011 "Invalid token provided"');
    expect(c['okta-app']?.status).toBe('skip');
    expect(c['okta-policy']?.status).toBe('skip');
  });

  it('a token without permission: OKTA_FORBIDDEN (403 E0000006), naming the read-only admin role', async () => {
    const r = await audit(custom, GOOD, FORBIDDEN_TOKEN);
    const c = byId(r)['okta-api'];
    expect(c).toMatchObject({ status: 'fail', code: 'OKTA_FORBIDDEN' });
    expect(c?.detail).toContain('E0000006');
    expect(c?.advice).toContain('Read-Only Administrator');
  });

  it('a token that may read apps but not authorization servers: OKTA_FORBIDDEN on okta-policy only', async () => {
    const state = custom.management!;
    state.forbiddenPathPrefixes = ['/api/v1/authorizationServers/'];
    try {
      const r = await audit(custom, GOOD);
      expect(failures(r)).toEqual(['okta-policy:OKTA_FORBIDDEN']);
      expect(byId(r)['okta-policy']?.title).toContain('access policies of authorization server default');
      expect(byId(r)['okta-assign']?.status).toBe('pass');
    } finally {
      delete state.forbiddenPathPrefixes;
    }
  });

  it('an unknown client ID: OKTA_APP_NOT_FOUND (404 E0000007 AppInstance)', async () => {
    const r = await audit(custom, '0oaNoSuchApp0000000');
    const c = byId(r)['okta-api'];
    expect(c).toMatchObject({ status: 'fail', code: 'OKTA_APP_NOT_FOUND' });
    expect(c?.detail).toContain('Resource not found: 0oaNoSuchApp0000000 (AppInstance)');
  });

  it('a rate limit that resets soon is waited out (X-Rate-Limit-Reset)', async () => {
    const state = custom.management!;
    // At least one whole second away, so the limit is surely in force when the audit asks.
    state.rateLimitUntil = Math.floor(Date.now() / 1000) + 2;
    try {
      const started = Date.now();
      const r = await audit(custom, GOOD);
      expect(failures(r)).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      state.rateLimitUntil = null;
    }
  });

  it('a rate limit that resets later: OKTA_RATE_LIMITED with the reset time, a warning', async () => {
    const state = custom.management!;
    const reset = Math.floor(Date.now() / 1000) + 120;
    state.rateLimitUntil = reset;
    try {
      const r = await audit(custom, GOOD);
      const c = byId(r)['okta-api'];
      expect(c).toMatchObject({ status: 'warn', code: 'OKTA_RATE_LIMITED' });
      expect(c?.data?.resetAt).toBe(new Date(reset * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
      expect(c?.advice).toContain('after');
    } finally {
      state.rateLimitUntil = null;
    }
  });

  it('an unreachable org: OKTA_API_UNCHECKED naming the network error', async () => {
    const closed = await startOktaLike({ tls: pki.leaf, clients: [], management: managementState() });
    const issuer = closed.issuer;
    await closed.close();
    const result = await runChecks([issuer], await oktaAuditChecks(), ctx(GOOD));
    const c = result.results[0]!.checks.find((x) => x.id === 'okta-api');
    expect(c).toMatchObject({
      status: 'warn',
      code: 'OKTA_API_UNCHECKED',
      data: { networkCode: 'TCP_REFUSED' },
    });
  });

  it('without a token the audit is skipped, not failed', async () => {
    const r = await audit(custom, GOOD, null);
    expect(byId(r)['okta-api']).toMatchObject({ status: 'skip' });
    expect(r.ok).toBe(true);
  });
});

describe('okta audit: an authorization server the org does not have', () => {
  it('reads the app, then warns that the policies could not be read (404 E0000007), naming the server', async () => {
    const other = await startOktaLike({
      tls: pki.leaf,
      clients: [],
      path: '/oauth2/aus0nosuch',
      management: managementState(),
    });
    try {
      const r = await audit(other, GOOD);
      const c = byId(r)['okta-policy'];
      expect(c).toMatchObject({ status: 'warn', code: 'OKTA_API_UNCHECKED' });
      expect(c?.detail).toContain('aus0nosuch (AuthorizationServer)');
      expect(byId(r)['okta-api']?.status).toBe('pass');
    } finally {
      await other.close();
    }
  });
});

describe('okta audit against the org authorization server', () => {
  it('skips the policy step and says why', async () => {
    const r = await audit(org, GOOD);
    expect(failures(r)).toEqual([]);
    const c = byId(r)['okta-policy'];
    expect(c?.status).toBe('skip');
    expect(c?.title).toMatch(/Org authorization server/);
    expect(org.requests.some((q) => q.path.includes('/authorizationServers/'))).toBe(false);
  });
});

describe('the audit never writes to Okta', () => {
  it('sent only GET requests, each to /api/v1 on the org, across every scenario above', () => {
    const api = [...custom.requests, ...org.requests].filter((q) => q.path.startsWith('/api/v1/'));
    expect(api.length).toBeGreaterThan(40);
    expect([...new Set(api.map((q) => q.method))]).toEqual(['GET']);
  });
});

describe('integration: the audit inside the diagnose checklist (as connector verify and set will run it)', () => {
  it('runs after the proxy check next to the issuer checks, in CHECK_ORDER, and fails the run on a lock-out', async () => {
    const c = ctx(NOBODY);
    c.net.resolver = createDefaultResolver();
    const result = await runChecks(
      [custom.issuer],
      await loadById([...checkIds('diagnose'), ...OKTA_IDS]),
      c,
    );
    const ids = result.results[0]!.checks.map((x) => x.id);
    expect(ids.indexOf('discovery')).toBeGreaterThan(-1);
    expect(ids.indexOf('okta-api')).toBeGreaterThan(ids.indexOf('clock'));
    expect(ids.slice(-8)).toEqual([
      'okta-api',
      'okta-app',
      'okta-grant',
      'okta-redir',
      'okta-secret',
      'okta-sign-on',
      'okta-assign',
      'okta-policy',
    ]);
    expect(result.results[0]!.checks.find((x) => x.id === 'okta-assign')).toMatchObject({
      status: 'fail',
      code: 'OKTA_NO_ASSIGNMENTS',
    });
    expect(result.ok).toBe(false);
  });

  it('oktaTokenIfAvailable: env first, then the keychain, and no token (not an error) without a keychain', async () => {
    const keychain = createMemoryKeychain({ initial: { [oktaTokenAccount('p')]: TOKEN } });
    expect((await oktaTokenIfAvailable({}, keychain, 'p'))?.reveal()).toBe(TOKEN);
    expect((await oktaTokenIfAvailable({ OKTA_API_TOKEN: FORBIDDEN_TOKEN }, keychain, 'p'))?.reveal()).toBe(
      FORBIDDEN_TOKEN,
    );
    expect(await oktaTokenIfAvailable({}, keychain, 'other')).toBeUndefined();
    keychain.simulate('unavailable');
    expect(await oktaTokenIfAvailable({}, keychain, 'p')).toBeUndefined();
  });
});
