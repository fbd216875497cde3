import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationUrl, check } from '../../src/checks/redirect-uri.js';
import type { CheckContext, CheckOutcome, DiscoveryDocument } from '../../src/checks/types.js';
import { CORTEX_CALLBACK_URI as DEFAULT_REDIRECT_URI } from '../../src/cortex/types.js';
import { Secret } from '../../src/secret.js';
import { type OidcIssuer, startOidcIssuer } from '../support/oidc-issuer.js';
import { type OktaLike, startOktaLike } from '../support/okta-like.js';
import type { TestPki } from '../support/pki.js';
import { type ProbeIssuers, startProbeIssuers, probeTarget as target } from '../support/probe-target.ts';

const SECRET = 'Canary-redirect-secret-7c6b5a49';
const TENANT_URI = 'https://app.getcortexapp.com/login?tenantCode=ACME';

let issuers: ProbeIssuers;
let pki: TestPki;
let oidc: OidcIssuer;
let okta: OktaLike;
let oidcDiscovery: DiscoveryDocument;
let oktaDiscovery: DiscoveryDocument;

function ctx(clientId: string | undefined, redirectUri?: string, now = () => new Date()): CheckContext {
  return issuers.ctx(
    {
      clientSecret: new Secret(SECRET),
      ...(clientId !== undefined ? { clientId } : {}),
      ...(redirectUri !== undefined ? { redirectUri } : {}),
    },
    now,
  );
}

async function run(t: ReturnType<typeof target>, c: CheckContext): Promise<CheckOutcome> {
  const outcome = await check.run(t, c);
  // The probe never needs the secret; it must not appear anyway.
  expect(JSON.stringify(outcome)).not.toContain(SECRET);
  return outcome;
}

beforeAll(async () => {
  issuers = await startProbeIssuers({
    oidc: [
      { clientId: 'cortex-app', clientSecret: SECRET, redirectUris: [DEFAULT_REDIRECT_URI, TENANT_URI] },
      { clientId: 'other-app', clientSecret: SECRET, redirectUris: ['https://elsewhere.example/callback'] },
    ],
    okta: [
      { clientId: '0oa-classic', clientSecret: SECRET, redirectUris: [DEFAULT_REDIRECT_URI] },
      {
        clientId: '0oa-oie',
        clientSecret: SECRET,
        redirectUris: [DEFAULT_REDIRECT_URI],
        authorize: 'login-page',
      },
      { clientId: '0oa-other', clientSecret: SECRET, redirectUris: ['https://elsewhere.example/callback'] },
      {
        clientId: '0oa-denied',
        clientSecret: SECRET,
        redirectUris: [DEFAULT_REDIRECT_URI],
        authorize: 'access_denied',
      },
      {
        clientId: '0oa-service',
        clientSecret: SECRET,
        redirectUris: [DEFAULT_REDIRECT_URI],
        authorize: 'unauthorized_client',
      },
    ],
  });
  ({ pki, oidc, okta, oidcDiscovery, oktaDiscovery } = issuers);
});

afterAll(async () => {
  await issuers?.close();
});

describe('authorizationUrl', () => {
  it('builds the request Cortex sends, keeping the endpoint query', () => {
    const u = authorizationUrl('https://acme.okta.com/oauth2/v1/authorize?x=1', 'cid', TENANT_URI, 'st');
    expect(u.searchParams.get('x')).toBe('1');
    expect(u.searchParams.get('client_id')).toBe('cid');
    expect(u.searchParams.get('response_type')).toBe('code');
    expect(u.searchParams.get('scope')).toBe('openid');
    expect(u.searchParams.get('redirect_uri')).toBe(TENANT_URI);
    expect(u.searchParams.get('state')).toBe('st');
  });
});

describe('redirect-uri check against a real OpenID provider (oidc-provider)', () => {
  it("passes when Cortex's default redirect URI is registered", async () => {
    const o = await run(target(oidc.issuer, oidcDiscovery), ctx('cortex-app'));
    expect(o.status).toBe('pass');
    expect(o.detail).toContain(DEFAULT_REDIRECT_URI);
    expect(o.detail).toMatch(/HTTP 303 to https:\/\/localhost:\d+\/oauth2\/default\/interaction\//);
  });

  it('passes for an overridden redirect URI that carries a query', async () => {
    const o = await run(target(oidc.issuer, oidcDiscovery), ctx('cortex-app', TENANT_URI));
    expect(o.status).toBe('pass');
    expect(o.data?.redirectUri).toBe(TENANT_URI);
  });

  it('fails REDIRECT_URI_NOT_REGISTERED with the exact value to add', async () => {
    const o = await run(target(oidc.issuer, oidcDiscovery), ctx('other-app'));
    expect(o).toMatchObject({ status: 'fail', code: 'REDIRECT_URI_NOT_REGISTERED' });
    expect(o.detail).toContain(`Add exactly this value: ${DEFAULT_REDIRECT_URI} `);
    expect(o.detail).toContain('invalid_redirect_uri');
    expect(o.detail).toMatch(/trailing slash/);
    expect(o.advice).toBe(
      `In Okta: Applications > your app > General > Login > Sign-in redirect URIs, add exactly: ${DEFAULT_REDIRECT_URI}`,
    );
  });

  it('names the probed URI and the other addresses Cortex documents', async () => {
    const o = await run(target(oidc.issuer, oidcDiscovery), ctx('other-app'));
    expect(o.detail).toContain(
      `the redirect URI probed, ${DEFAULT_REDIRECT_URI}, is not a sign-in redirect URI of app other-app`,
    );
    expect(o.detail).toContain(
      'sign-in redirect URI https://app.getcortexapp.com/login?tenantCode=YOUR_TENANT_CODE (your workspace',
    );
    expect(o.detail).toContain(`${DEFAULT_REDIRECT_URI} is also the Initiate login URI for auto sign-on`);
  });

  it('names the callback, not the tenant URI again, when the tenant URI was probed', async () => {
    const o = await run(target(oidc.issuer, oidcDiscovery), ctx('other-app', TENANT_URI));
    expect(o).toMatchObject({ status: 'fail', code: 'REDIRECT_URI_NOT_REGISTERED' });
    expect(o.detail).toContain(`the redirect URI probed, ${TENANT_URI}, is not`);
    expect(o.detail).toContain(`Add exactly this value: ${TENANT_URI} `);
    expect(o.detail).not.toContain('YOUR_TENANT_CODE');
    expect(o.detail).toContain(`${DEFAULT_REDIRECT_URI} is Cortex's callback and the Initiate login URI`);
    expect(o.advice).toContain(`add exactly: ${TENANT_URI}`);
  });

  it('is exact: a trailing slash is another URI', async () => {
    const o = await run(target(oidc.issuer, oidcDiscovery), ctx('cortex-app', `${DEFAULT_REDIRECT_URI}/`));
    expect(o).toMatchObject({ status: 'fail', code: 'REDIRECT_URI_NOT_REGISTERED' });
    expect(o.detail).toContain(`${DEFAULT_REDIRECT_URI}/ `);
  });

  it('fails CLIENT_UNKNOWN for an unknown client ID', async () => {
    const o = await run(target(oidc.issuer, oidcDiscovery), ctx('no-such-client'));
    expect(o).toMatchObject({ status: 'fail', code: 'CLIENT_UNKNOWN' });
    expect(o.detail).toContain('invalid_client (client is invalid)');
  });

  it('is REDIRECT_URI_UNCHECKED when the port is closed', async () => {
    const closed = await startOidcIssuer({ tls: pki.leaf, clients: [] });
    const port = closed.port;
    await closed.close();
    const doc = { ...oidcDiscovery, authorization_endpoint: `https://localhost:${port}/auth` };
    const o = await run(target(oidc.issuer, doc), ctx('cortex-app'));
    expect(o).toMatchObject({ status: 'warn', code: 'REDIRECT_URI_UNCHECKED' });
    expect(o.data?.networkCode).toBe('TCP_REFUSED');
    expect(o.detail).toContain(`https://localhost:${port}/auth?client_id=cortex-app`);
  });

  it('skips without a client ID', async () => {
    const o = await run(target(oidc.issuer, oidcDiscovery), ctx(undefined));
    expect(o.status).toBe('skip');
  });
});

describe('redirect-uri check against Okta-style answers', () => {
  it('passes on a redirect to the classic sign-in page, without printing its one-time query', async () => {
    const o = await run(target(okta.issuer, oktaDiscovery), ctx('0oa-classic'));
    expect(o.status).toBe('pass');
    expect(o.detail).toMatch(/HTTP 302 to https:\/\/localhost:\d+\/login\/login\.htm\)/);
    expect(JSON.stringify(o)).not.toContain('okta_key');
  });

  it('passes on a 200 sign-in page', async () => {
    const o = await run(target(okta.issuer, oktaDiscovery), ctx('0oa-oie'));
    expect(o.status).toBe('pass');
    expect(o.detail).toContain('HTTP 200');
  });

  it("fails REDIRECT_URI_NOT_REGISTERED on Okta's HTML 400 page", async () => {
    const o = await run(target(okta.issuer, oktaDiscovery), ctx('0oa-other'));
    expect(o).toMatchObject({ status: 'fail', code: 'REDIRECT_URI_NOT_REGISTERED' });
    expect(o.detail).toContain(
      "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings",
    );
    expect(o.detail).toContain(`Add exactly this value: ${DEFAULT_REDIRECT_URI} `);
  });

  it('fails OKTA_API_AM_REQUIRED on the authorize page of an org without API Access Management, naming the org issuer', async () => {
    const noAm = await startOktaLike({
      tls: pki.leaf,
      apiAccessManagement: false,
      clients: [{ clientId: '0oa-classic', clientSecret: SECRET, redirectUris: [DEFAULT_REDIRECT_URI] }],
    });
    try {
      // The document was served (a cache, a proxy, an org that lost the feature): the page says why sign-in fails.
      const doc = { ...oktaDiscovery, authorization_endpoint: `${noAm.issuer}/v1/authorize` };
      const o = await run(target(`${noAm.issuer}/`, doc), ctx('0oa-classic'));
      expect(o).toMatchObject({ status: 'fail', code: 'OKTA_API_AM_REQUIRED' });
      expect(o.detail).toContain('The requested feature is not enabled in this environment.');
      expect(o.advice).toContain(`Set the issuer to exactly ${noAm.orgIssuer} (`);
      expect(noAm.orgIssuer).toMatch(/^https:\/\/localhost:\d+$/);
    } finally {
      await noAm.close();
    }
  });

  it("fails CLIENT_UNKNOWN on Okta's invalid_client page", async () => {
    const o = await run(target(okta.issuer, oktaDiscovery), ctx('0oa-typo'));
    expect(o).toMatchObject({ status: 'fail', code: 'CLIENT_UNKNOWN' });
    expect(o.detail).toContain("Invalid value for 'client_id' parameter.");
  });

  it('fails AUTHORIZATION_REJECTED when Okta redirects back with error=access_denied', async () => {
    const o = await run(target(okta.issuer, oktaDiscovery), ctx('0oa-denied'));
    expect(o).toMatchObject({
      status: 'fail',
      code: 'AUTHORIZATION_REJECTED',
      title: 'Okta sends sign-in back with access_denied',
    });
    expect(o.detail).toContain(`The redirect URI ${DEFAULT_REDIRECT_URI} is registered`);
    expect(o.detail).toContain('Policy evaluation failed');
    expect(o.detail).toContain('Access Policies');
  });

  it('fails AUTHORIZATION_REJECTED when the app may not use authorization_code', async () => {
    const o = await run(target(okta.issuer, oktaDiscovery), ctx('0oa-service'));
    expect(o).toMatchObject({ status: 'fail', code: 'AUTHORIZATION_REJECTED' });
    expect(o.data?.error).toBe('unauthorized_client');
    expect(o.detail).toContain('Grant type');
  });

  it('is REDIRECT_URI_UNCHECKED when rate-limited, saying when to retry', async () => {
    const now = new Date();
    const reset = Math.floor(now.getTime() / 1000) + 30;
    okta.setRateLimit(reset);
    try {
      const o = await run(
        target(okta.issuer, oktaDiscovery),
        ctx('0oa-classic', undefined, () => now),
      );
      expect(o).toMatchObject({ status: 'warn', code: 'REDIRECT_URI_UNCHECKED' });
      expect(o.detail).toContain(new Date(reset * 1000).toISOString().replace('.000Z', 'Z'));
    } finally {
      okta.setRateLimit(null);
    }
  });
});

describe('redirect-uri check treats the page as untrusted', () => {
  async function pageServer(status: number, body: string): Promise<{ url: string; close(): Promise<void> }> {
    const server = https.createServer({ key: pki.leaf.keyPem, cert: pki.leaf.chainPem }, (_req, res) => {
      res.writeHead(status, { 'content-type': 'text/html;charset=utf-8' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    return {
      url: `https://localhost:${port}/oauth2/v1/authorize`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  it('escapes control characters the error page carries', async () => {
    const evil = await pageServer(
      400,
      '<p>Error Code:</p><p>invalid_request</p><p>Description:</p><p>The redirect_uri is &#x202e;wrong&#x1b;[2J&#x0d;&#x0a;  ✔ redirect-uri  The redirect URI is registered</p>',
    );
    try {
      const o = await run(
        target(okta.issuer, { ...oktaDiscovery, authorization_endpoint: evil.url }),
        ctx('0oa-classic'),
      );
      expect(o).toMatchObject({ status: 'fail', code: 'REDIRECT_URI_NOT_REGISTERED' });
      expect(o.detail).toContain('wrong\\x1b[2J');
      expect(o.detail).toContain('\\u202e');
      for (const c of ['\u001b', '\r', '\n', '\u202e']) expect(o.detail).not.toContain(c);
      expect(o.detail).not.toContain('✔ redirect-uri');
    } finally {
      await evil.close();
    }
  });

  it('reads only the start of an endless page', async () => {
    const huge = await pageServer(
      400,
      `<p>${'padding '.repeat(80_000)}</p><p>Error Code: invalid_client</p>`,
    );
    try {
      const o = await run(
        target(okta.issuer, { ...oktaDiscovery, authorization_endpoint: huge.url }),
        ctx('0oa-classic'),
      );
      // The error code sits past the 256 KiB cap: never read, so no verdict.
      expect(o).toMatchObject({ status: 'warn', code: 'REDIRECT_URI_UNCHECKED' });
    } finally {
      await huge.close();
    }
  });
});
