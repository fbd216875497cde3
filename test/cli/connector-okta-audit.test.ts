// The Okta-side audit inside `connector set`'s pre-flight and `connector verify`: with a read-only Okta
// API token, a setting inside Okta that locks users out (an inactive app, nobody assigned) stops the
// push, although the issuer, the secret and the redirect URI all check out from outside. Without a
// token the audit is not run and nothing changes.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CortexApi, startCortexApi } from '../../src/sandbox/cortex-api.ts';
import { type CliResult, runCli, tempDir, writeTemp } from '../support/cli.ts';
import { type OktaLike, startOktaLike } from '../support/okta-like.ts';
import { type OktaManagementState, oktaApp, oktaFixture, oktaPolicy } from '../support/okta-management.ts';
import { createTestPki } from '../support/pki.ts';

const CALLBACK = 'https://cortexapp.auth0.com/login/callback';
const OKTA_TOKEN = `00${randomBytes(20).toString('base64url')}`;
const API_KEY = `KEY${randomBytes(16).toString('hex')}`;
const SECRET = `SECRET${randomBytes(20).toString('hex')}`;
const GOOD = '0oagoodSET000000001';
const INACTIVE = '0oainactiveSET00002';
const NOBODY = '0oanobodySET0000003';

let okta: OktaLike;
let api: CortexApi;
let caFile: string;
const dir = tempDir();
const outputs: string[] = [];

beforeAll(async () => {
  const pki = await createTestPki();
  caFile = writeTemp(dir, 'ca.pem', pki.root.certPem);
  const users = oktaFixture<Record<string, unknown>[]>('app-users.json');
  const everyone = [GOOD, INACTIVE, NOBODY];
  const state: OktaManagementState = {
    token: OKTA_TOKEN,
    apps: {
      [GOOD]: oktaApp({ id: GOOD }),
      [INACTIVE]: oktaApp({ id: INACTIVE, status: 'INACTIVE' }),
      [NOBODY]: oktaApp({ id: NOBODY }),
    },
    assignments: { [GOOD]: { users }, [INACTIVE]: { users } },
    authServers: {
      default: [
        oktaPolicy({
          id: '00pset',
          clients: everyone,
          rules: [{ id: '0prset', grantTypes: ['authorization_code'] }],
        }),
      ],
    },
  };
  // From outside every app looks right: the secret and Cortex's redirect URI are accepted.
  okta = await startOktaLike({
    tls: pki.leaf,
    clients: everyone.map((clientId) => ({ clientId, clientSecret: SECRET, redirectUris: [CALLBACK] })),
    management: state,
  });
  api = await startCortexApi({ tokens: [API_KEY] });
});
afterAll(async () => {
  await okta?.close();
  await api?.close();
  const all = outputs.join('\n');
  for (const s of [OKTA_TOKEN, API_KEY, SECRET]) expect(all).not.toContain(s);
});

function env(profile: string, extra: Record<string, string | undefined> = {}) {
  return {
    CI: 'true',
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cortex-sso-test-bus',
    CORTEX_SSO_CONFIG_DIR: dir,
    CORTEX_SSO_PUBLIC_CA_FILE: caFile,
    CORTEX_SSO_PROFILE: profile,
    CORTEX_BASE_URL: api.url,
    CORTEX_API_KEY: API_KEY,
    CORTEX_CONFIG: `${dir}/no-cortex-cli-config`,
    CORTEX_SSO_CLIENT_SECRET: SECRET,
    OKTA_API_TOKEN: OKTA_TOKEN,
    ...extra,
  };
}

async function cli(args: string[], e: Record<string, string | undefined>): Promise<CliResult> {
  const r = await runCli(args, { env: e });
  outputs.push(r.stdout, r.stderr, r.argv.join(' '));
  return r;
}

const set = (clientId: string, ...more: string[]) => [
  'connector',
  'set',
  '--type',
  'okta',
  '--client-id',
  clientId,
  '--issuer',
  okta.issuer,
  '--json',
  ...more,
];

type Check = { id: string; status: string; code?: string };
const checksOf = (doc: { preflight?: { results: { checks: Check[] }[] }; results?: { checks: Check[] }[] }) =>
  (doc.preflight?.results ?? doc.results ?? [])[0]?.checks ?? [];

describe('the Okta-side audit in the pre-flight', () => {
  it('an inactive app: set refuses to push (PREFLIGHT_FAILED), naming the setting', async () => {
    const r = await cli(set(INACTIVE), env('inactive'));
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: false, pushed: false, code: 'PREFLIGHT_FAILED' });
    const checks = checksOf(doc);
    expect(checks.find((c) => c.id === 'credentials')?.status).toBe('pass');
    expect(checks.find((c) => c.id === 'okta-app')).toMatchObject({
      status: 'fail',
      code: 'OKTA_APP_INACTIVE',
    });
    expect(api.configurations()).toEqual([]);
  });

  it('nobody assigned: set refuses to push; --force pushes anyway', async () => {
    const r = await cli(set(NOBODY), env('nobody'));
    expect(r.code).toBe(1);
    const checks = checksOf(JSON.parse(r.stdout));
    expect(checks.find((c) => c.id === 'okta-assign')).toMatchObject({
      status: 'fail',
      code: 'OKTA_NO_ASSIGNMENTS',
    });
    expect(api.configurations()).toEqual([]);
    const forced = await cli(set(NOBODY, '--force'), env('nobody'));
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ pushed: true, forced: true });
  });

  it('a correct app passes the audit and is pushed; verify runs the audit too', async () => {
    const r = await cli(set(GOOD), env('good'));
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.pushed).toBe(true);
    const okta = checksOf(doc).filter((c) => c.id.startsWith('okta-'));
    expect(okta.length).toBeGreaterThan(3);
    expect(okta.every((c) => c.status === 'pass' || c.status === 'skip')).toBe(true);

    const verify = await cli(['connector', 'verify', '--json'], env('good'));
    expect(verify.code).toBe(0);
    expect(checksOf(JSON.parse(verify.stdout)).map((c) => c.id)).toContain('okta-policy');
  });

  it('without an Okta API token the audit does not run, and says nothing about Okta settings', async () => {
    const r = await cli(set(INACTIVE, '--dry-run'), env('notoken', { OKTA_API_TOKEN: undefined }));
    expect(r.code).toBe(0); // from outside, the inactive app cannot be told apart
    const ids = checksOf(JSON.parse(r.stdout)).map((c) => c.id);
    expect(ids).toContain('credentials'); // the pre-flight ran
    expect(checksOf(JSON.parse(r.stdout)).some((c) => c.id.startsWith('okta-'))).toBe(false);
  });

  it('the audit only reads: no request to Okta ever writes', () => {
    const management = okta.requests.filter((q) => q.path.startsWith('/api/v1/'));
    expect(management.some((q) => q.path.startsWith('/api/v1/apps/'))).toBe(true); // the audit did read
    expect(management.filter((q) => q.method !== 'GET')).toEqual([]);
  });
});
