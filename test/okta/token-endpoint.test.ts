// What the two servers the credential probe is tested against answer on the wire, asked exactly like
// the probe asks (authorization_code, a code nobody issued, the redirect URI, client_secret_basic):
// the Okta-like server must serve the bodies recorded in test/fixtures/okta/, and the real OpenID
// provider (oidc-provider) must answer the same way in substance. A test double that drifts from the
// recorded answers fails here, not silently in the check tests.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuthHeader } from '../../src/checks/credentials.js';
import { httpGet } from '../../src/net/http.js';
import { fetchDiscovery, type ProbeIssuers, startProbeIssuers } from '../support/probe-target.ts';

const SECRET = 'Canary secret:+%&=zQ7v-9f8e7d6c';
const REDIRECT = 'https://cortexapp.auth0.com/login/callback';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/okta/${name}`, import.meta.url), 'utf8'));
}

let issuers: ProbeIssuers;
let orgToken: string;

beforeAll(async () => {
  issuers = await startProbeIssuers({
    oidc: [{ clientId: 'cortex-app', clientSecret: SECRET, redirectUris: [REDIRECT] }],
    okta: [{ clientId: '0oa-ok', clientSecret: SECRET, redirectUris: [REDIRECT] }],
  });
  const doc = await fetchDiscovery(issuers.okta.orgIssuer, issuers.ctx({}).net.dispatcher(null));
  orgToken = String(doc.token_endpoint);
});

afterAll(async () => {
  await issuers?.close();
});

async function post(url: string, clientId: string, secret: string, form: Record<string, string>) {
  const res = await httpGet(url, {
    dispatcher: issuers.ctx({}).net.dispatcher(null),
    timeoutMs: 5000,
    maxBytes: 65536,
    method: 'POST',
    headers: {
      authorization: basicAuthHeader(clientId, secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: JSON.parse(res.body.toString('utf8')) as Record<string, unknown> };
}

const bogusCode = { grant_type: 'authorization_code', code: 'cortex-sso-probe-nope', redirect_uri: REDIRECT };

describe("the Okta-like org authorization server answers with Okta's recorded bodies", () => {
  it('a made-up code with the right secret: 400 invalid_grant', async () => {
    expect(await post(orgToken, '0oa-ok', SECRET, bogusCode)).toEqual({
      status: 400,
      body: fixture('token-invalid-grant.json'),
    });
  });

  it('a wrong secret: 401 invalid_client, before the code is looked at', async () => {
    expect(await post(orgToken, '0oa-ok', 'wrong', bogusCode)).toEqual({
      status: 401,
      body: fixture('token-wrong-secret.json'),
    });
  });

  it("an unknown client: 401 with Okta's own errorCode body", async () => {
    expect(await post(orgToken, '0oa-typo', SECRET, bogusCode)).toEqual({
      status: 401,
      body: fixture('token-unknown-client.json'),
    });
  });

  it('client_credentials from a client-secret app is refused whatever the secret (private_key_jwt only)', async () => {
    const right = await post(orgToken, '0oa-ok', SECRET, { grant_type: 'client_credentials' });
    expect(right).toEqual({ status: 401, body: fixture('token-client-credentials-org-as.json') });
  });
});

describe('oidc-provider, the real OpenID provider, answers the probe the same way in substance', () => {
  const token = () => `${issuers.oidc.issuer}/token`;

  it('a made-up code with the right secret: 400 invalid_grant', async () => {
    const r = await post(token(), 'cortex-app', SECRET, bogusCode);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_grant');
  });

  it('a wrong secret or an unknown client: 401 invalid_client', async () => {
    for (const [id, secret] of [
      ['cortex-app', 'wrong'],
      ['no-such-client', SECRET],
    ] as const) {
      const r = await post(token(), id, secret, bogusCode);
      expect(r.status).toBe(401);
      expect(r.body.error).toBe('invalid_client');
    }
  });
});
