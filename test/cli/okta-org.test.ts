// Issue 7's "done when", through the real binary: `connector set` on the issuer Cortex's Okta guide
// names, Okta's org authorization server (https://{org}.okta.com), which refuses client_credentials
// from client-secret apps whatever the secret. A correct secret must pass the pre-flight and be
// pushed; a wrong one must be refused. CI style: values from the environment, no keychain.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CortexApi, startCortexApi } from '../../src/sandbox/cortex-api.ts';
import { runCli, tempDir, writeTemp } from '../support/cli.ts';
import { type OktaLike, startOktaLike } from '../support/okta-like.ts';
import { createTestPki } from '../support/pki.ts';

const CLIENT_ID = '0oa1orgserver2app3';
const SECRET = `CANARY${randomBytes(20).toString('hex')}`;
const TOKEN = `TOKEN${randomBytes(16).toString('hex')}`;
const CALLBACK = 'https://cortexapp.auth0.com/login/callback';

let okta: OktaLike;
let api: CortexApi;
let dir: string;
let caFile: string;
const outputs: string[] = [];

beforeAll(async () => {
  const pki = await createTestPki();
  dir = tempDir();
  caFile = writeTemp(dir, 'ca.pem', pki.root.certPem);
  okta = await startOktaLike({
    tls: pki.leaf,
    path: '',
    clients: [{ clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [CALLBACK] }],
  });
  api = await startCortexApi({ tokens: [TOKEN] });
});

afterAll(async () => {
  await api?.close();
  await okta?.close();
  const all = outputs.join('\n');
  expect(all).not.toContain(SECRET);
  expect(all).not.toContain(TOKEN);
});

async function set(secret: string, profile: string) {
  const r = await runCli(['connector', 'set', '--type', 'okta', '--json'], {
    env: {
      CI: 'true',
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cortex-sso-test-bus',
      CORTEX_BASE_URL: api.url,
      CORTEX_API_KEY: TOKEN,
      CORTEX_CONFIG: '/nonexistent/cortex-cli-config',
      CORTEX_SSO_CONFIG_DIR: dir,
      CORTEX_SSO_PUBLIC_CA_FILE: caFile,
      CORTEX_SSO_PROFILE: profile,
      CORTEX_SSO_CLIENT_ID: CLIENT_ID,
      CORTEX_SSO_ISSUER: okta.orgIssuer,
      CORTEX_SSO_CLIENT_SECRET: secret,
    },
  });
  outputs.push(r.stdout, r.stderr, r.argv.join(' '));
  return r;
}

describe("connector set on Okta's org authorization server", () => {
  it('pushes a correct secret: the probe needs no client_credentials grant', async () => {
    const before = okta.requests.length;
    const r = await set(SECRET, `org-ok-${process.pid}`);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: true, pushed: true });
    expect(JSON.stringify(api.configurations())).toContain(`"${okta.orgIssuer}"`);
    expect(api.secretMatches(String(doc.pushedConnection.connectionId), SECRET)).toBe(true);
    // The secret was checked against the org server's token endpoint, with authorization_code.
    expect(okta.requests.slice(before).map((q) => `${q.method} ${q.path}`)).toContain(
      'POST /oauth2/v1/token',
    );
  });

  it('refuses a wrong secret and pushes nothing', async () => {
    const version = JSON.stringify(api.configurations());
    const r = await set(`wrong-${SECRET.slice(0, 30)}`, `org-bad-${process.pid}`);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: false, pushed: false });
    expect(JSON.stringify(doc)).toContain('CREDENTIALS_INVALID');
    expect(JSON.stringify(api.configurations())).toBe(version);
  });
});
