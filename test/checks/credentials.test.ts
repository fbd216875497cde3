import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuthHeader, check } from '../../src/checks/credentials.js';
import type { CheckContext, CheckOutcome, DiscoveryDocument } from '../../src/checks/types.js';
import { Secret } from '../../src/secret.js';
import { escapeControl } from '../../src/text/escape.js';
import { type OidcIssuer, startOidcIssuer } from '../support/oidc-issuer.js';
import type { OktaLike } from '../support/okta-like.js';
import type { TestPki } from '../support/pki.js';
import {
  fetchDiscovery,
  type ProbeIssuers,
  startProbeIssuers,
  probeTarget as target,
} from '../support/probe-target.ts';

// Canary: a secret with characters that RFC 6749 §2.3.1 form-encoding changes (space, +, :, %, &).
const SECRET = 'Canary secret:+%&=zQ7v-9f8e7d6c';
const OTHER_SECRET = 'Other-canary-secret-b1a2c3d4e5';
const REDIRECT = 'https://cortexapp.auth0.com/login/callback';

let issuers: ProbeIssuers;
let pki: TestPki;
let oidc: OidcIssuer;
let okta: OktaLike;
let oidcDiscovery: DiscoveryDocument;
let oktaDiscovery: DiscoveryDocument;
/** Okta's org authorization server (https://localhost:PORT, endpoints under /oauth2/v1/). */
let orgDiscovery: DiscoveryDocument;

function ctx(clientId: string | undefined, secret: string | undefined, now = () => new Date()): CheckContext {
  return issuers.ctx(
    {
      ...(clientId !== undefined ? { clientId } : {}),
      ...(secret !== undefined ? { clientSecret: new Secret(secret) } : {}),
    },
    now,
  );
}

/** The secret never shows up in what the user sees, neither raw nor inside a Basic header. */
function expectNoLeak(outcome: CheckOutcome): void {
  const text = JSON.stringify(outcome);
  for (const s of [SECRET, OTHER_SECRET, 'wrong-secret-value-1234']) {
    expect(text).not.toContain(s);
    expect(text).not.toContain(encodeURIComponent(s));
    expect(text).not.toContain(Buffer.from(s).toString('base64').slice(0, 16));
  }
  expect(text).not.toContain('Basic ');
}

async function run(t: ReturnType<typeof target>, c: CheckContext): Promise<CheckOutcome> {
  const outcome = await check.run(t, c);
  expectNoLeak(outcome);
  return outcome;
}

beforeAll(async () => {
  issuers = await startProbeIssuers({
    oidc: [
      { clientId: 'cortex-app', clientSecret: SECRET, redirectUris: [REDIRECT] },
      {
        clientId: 'machine-only',
        clientSecret: OTHER_SECRET,
        redirectUris: [],
        grantTypes: ['client_credentials'],
      },
    ],
    okta: [
      { clientId: '0oa-ok', clientSecret: SECRET, redirectUris: [REDIRECT] },
      {
        clientId: '0oa-challenge',
        clientSecret: SECRET,
        redirectUris: [REDIRECT],
        wrongSecret: 'challenge-only',
      },
    ],
  });
  ({ pki, oidc, okta, oidcDiscovery, oktaDiscovery } = issuers);
  const agent = issuers.ctx({}).net.dispatcher(null);
  orgDiscovery = await fetchDiscovery(okta.orgIssuer, agent);
});

afterAll(async () => {
  await issuers?.close();
});

/** The token requests the probe made since `before`, as the server saw them. */
function tokenRequests(before: number): string[] {
  return okta.requests
    .slice(before)
    .filter((r) => r.path.endsWith('/v1/token'))
    .map((r) => `${r.method} ${r.path}`);
}

describe('basicAuthHeader (RFC 6749 §2.3.1)', () => {
  it('form-urlencodes id and secret before base64', () => {
    const h = basicAuthHeader('a b', 'x:y+z%&');
    expect(Buffer.from(h.replace(/^Basic /, ''), 'base64').toString()).toBe('a+b:x%3Ay%2Bz%25%26');
  });
});

describe("credentials check on Okta's org authorization server (the issuer Cortex's guide names)", () => {
  it('passes with the right secret, although the org server refuses client_credentials for this app', async () => {
    const before = okta.requests.length;
    const o = await run(target(okta.orgIssuer, orgDiscovery), ctx('0oa-ok', SECRET));
    expect(o.status).toBe('pass');
    expect(o.title).toBe('Client ID and secret accepted');
    expect(o.detail).toContain(`secret ending in ${SECRET.slice(-4)}`);
    expect(o.detail).toContain('invalid_grant');
    expect(o.data).toMatchObject({ grant: 'authorization_code', status: 400, error: 'invalid_grant' });
    expect(tokenRequests(before)).toEqual(['POST /oauth2/v1/token']);
  });

  it('fails CREDENTIALS_INVALID on a wrong secret, after proving the client ID is known', async () => {
    const o = await run(target(okta.orgIssuer, orgDiscovery), ctx('0oa-ok', 'wrong-secret-value-1234'));
    expect(o).toMatchObject({
      status: 'fail',
      code: 'CREDENTIALS_INVALID',
      title: 'The client secret is wrong',
    });
    expect(o.detail).toContain('The client secret supplied for a confidential client is invalid.');
    expect(o.data?.clientProbe).toBe('known');
  });

  it("fails CLIENT_UNKNOWN from Okta's errorCode body alone", async () => {
    const before = okta.requests.length;
    const o = await run(target(okta.orgIssuer, orgDiscovery), ctx('0oa-typo', SECRET));
    expect(o).toMatchObject({ status: 'fail', code: 'CLIENT_UNKNOWN' });
    expect(o.title).toContain('0oa-typo');
    expect(o.detail).toContain("Invalid value for 'client_id' parameter.");
    // Decided from the summary: no authorization-endpoint probe was needed.
    expect(okta.requests.slice(before).map((r) => r.path)).toEqual(['/oauth2/v1/token']);
  });
});

describe('credentials check on an Okta custom authorization server', () => {
  it('passes with the right secret', async () => {
    const o = await run(target(okta.issuer, oktaDiscovery), ctx('0oa-ok', SECRET));
    expect(o.status).toBe('pass');
    expect(JSON.stringify(o)).not.toContain('eyJ');
  });

  it('fails CREDENTIALS_INVALID on a wrong secret', async () => {
    const o = await run(target(okta.issuer, oktaDiscovery), ctx('0oa-ok', 'wrong-secret-value-1234'));
    expect(o).toMatchObject({ status: 'fail', code: 'CREDENTIALS_INVALID' });
  });

  it('reads invalid_client from a WWW-Authenticate challenge on an empty 401', async () => {
    const o = await run(target(okta.issuer, oktaDiscovery), ctx('0oa-challenge', 'wrong-secret-value-1234'));
    expect(o).toMatchObject({ status: 'fail', code: 'CREDENTIALS_INVALID' });
    expect(o.data?.status).toBe(401);
    expect(o.detail).toContain('invalid_client');
  });

  it('is CREDENTIALS_UNCHECKED on 429 E0000047, saying when to retry (X-Rate-Limit-Reset)', async () => {
    const now = new Date(Date.now() - (Date.now() % 1000) + 250);
    const reset = Math.floor(now.getTime() / 1000) + 120;
    okta.setRateLimit(reset);
    try {
      const o = await run(
        target(okta.issuer, oktaDiscovery),
        ctx('0oa-ok', SECRET, () => now),
      );
      expect(o).toMatchObject({ status: 'warn', code: 'CREDENTIALS_UNCHECKED' });
      const at = new Date(reset * 1000).toISOString().replace('.000Z', 'Z');
      expect(o.detail).toContain('E0000047');
      expect(o.detail).toContain(`retry after ${at} (in 120 s)`);
      expect(o.advice).toContain(at);
    } finally {
      okta.setRateLimit(null);
    }
  });

  it('is CREDENTIALS_UNCHECKED, never accepted or invalid, on any other answer (an Okta 404 E0000022)', async () => {
    const doc = { ...oktaDiscovery, token_endpoint: `${okta.orgIssuer}/oauth2/nowhere/token` };
    const o = await run(target(okta.issuer, doc), ctx('0oa-ok', SECRET));
    expect(o).toMatchObject({ status: 'warn', code: 'CREDENTIALS_UNCHECKED' });
    expect(o.detail).toContain('HTTP 404 E0000022');
  });
});

describe('credentials check against a real OpenID provider (oidc-provider)', () => {
  it('passes with the right secret: oidc-provider also answers a made-up code with invalid_grant', async () => {
    const o = await run(target(oidc.issuer, oidcDiscovery), ctx('cortex-app', SECRET));
    expect(o.status).toBe('pass');
    expect(o.data).toMatchObject({ status: 400, error: 'invalid_grant' });
    expect(o.detail).toContain('cortex-app');
  });

  it('fails CREDENTIALS_INVALID with a wrong secret, after proving the client ID is known', async () => {
    const o = await run(target(oidc.issuer, oidcDiscovery), ctx('cortex-app', 'wrong-secret-value-1234'));
    expect(o).toMatchObject({
      status: 'fail',
      code: 'CREDENTIALS_INVALID',
      title: 'The client secret is wrong',
    });
    expect(o.detail).toContain('invalid_client');
    expect(o.detail).toMatch(/knows the client ID/);
    expect(o.data?.clientProbe).toBe('known');
  });

  it('fails CLIENT_UNKNOWN for a client ID the issuer does not have', async () => {
    const o = await run(target(oidc.issuer, oidcDiscovery), ctx('no-such-client', SECRET));
    expect(o).toMatchObject({ status: 'fail', code: 'CLIENT_UNKNOWN' });
    expect(o.title).toContain('no-such-client');
    expect(o.detail).toMatch(/authorization endpoint also rejects it: invalid_client/);
  });

  it('warns CREDENTIALS_UNCHECKED, naming the cause, for a client without the Authorization Code grant', async () => {
    const o = await run(target(oidc.issuer, oidcDiscovery), ctx('machine-only', OTHER_SECRET));
    expect(o).toMatchObject({ status: 'warn', code: 'CREDENTIALS_UNCHECKED' });
    expect(o.detail).toMatch(/HTTP 400 (unauthorized_client|invalid_request)/);
    expect(o.detail).toContain('Only invalid_client or invalid_grant tell whether the secret is right.');
  });

  it('is CREDENTIALS_UNCHECKED when the token endpoint port is closed', async () => {
    const closed = await startOidcIssuer({ tls: pki.leaf, clients: [] });
    const port = closed.port;
    await closed.close();
    const doc = { ...oidcDiscovery, token_endpoint: `https://localhost:${port}/token` };
    const o = await run(target(oidc.issuer, doc), ctx('cortex-app', SECRET));
    expect(o).toMatchObject({ status: 'warn', code: 'CREDENTIALS_UNCHECKED' });
    expect(o.data?.networkCode).toBe('TCP_REFUSED');
    expect(o.detail).toMatch(/refused/);
  });

  it('skips when no client ID or secret is given', async () => {
    const o = await run(target(oidc.issuer, oidcDiscovery), ctx(undefined, undefined));
    expect(o.status).toBe('skip');
  });
});

describe('credentials check treats the answer as untrusted', () => {
  /** An HTTPS token endpoint on loopback that answers with `handler`. */
  async function tokenServer(
    handler: (res: import('node:http').ServerResponse) => void,
  ): Promise<{ url: string; close(): Promise<void> }> {
    const server = https.createServer({ key: pki.leaf.keyPem, cert: pki.leaf.chainPem }, (req, res) => {
      req.resume();
      req.on('end', () => handler(res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    return {
      url: `https://localhost:${port}/oauth2/v1/token`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  it('ends a token endpoint that never answers at the timeout', async () => {
    const silent = await tokenServer(() => {});
    try {
      const c = ctx('0oa-ok', SECRET);
      c.options.timeoutMs = 400;
      const started = Date.now();
      const o = await run(target(okta.orgIssuer, { ...orgDiscovery, token_endpoint: silent.url }), c);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(o).toMatchObject({ status: 'warn', code: 'CREDENTIALS_UNCHECKED' });
      expect(o.data?.networkCode).toBe('TIMEOUT');
    } finally {
      await silent.close();
    }
  });

  it('stops reading an oversized answer and does not judge it', async () => {
    const huge = await tokenServer((res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(`{"error":"invalid_grant","error_description":"${'x'.repeat(200_000)}"}`);
    });
    try {
      const o = await run(
        target(okta.orgIssuer, { ...orgDiscovery, token_endpoint: huge.url }),
        ctx('0oa-ok', SECRET),
      );
      expect(o).toMatchObject({ status: 'warn', code: 'CREDENTIALS_UNCHECKED' });
      expect(o.detail).toContain('a body over 65536 bytes');
    } finally {
      await huge.close();
    }
  });

  it('does not call a 401 that names no error "invalid": it decides nothing', async () => {
    const bare = await tokenServer((res) => {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end('Unauthorized');
    });
    try {
      const o = await run(
        target(okta.orgIssuer, { ...orgDiscovery, token_endpoint: bare.url }),
        ctx('0oa-ok', SECRET),
      );
      expect(o).toMatchObject({ status: 'warn', code: 'CREDENTIALS_UNCHECKED' });
      expect(o.detail).toContain('HTTP 401 no OAuth error');
    } finally {
      await bare.close();
    }
  });

  it('escapes control characters an answer puts in its description', async () => {
    const evil = await tokenServer((res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: 'invalid_client',
          error_description: 'nope\u001b[2K\r  \u2714 credentials  Client ID and secret accepted\u202e',
        }),
      );
    });
    try {
      const o = await run(
        target(okta.orgIssuer, { ...orgDiscovery, token_endpoint: evil.url }),
        ctx('0oa-ok', 'wrong-secret-value-1234'),
      );
      expect(o).toMatchObject({ status: 'fail', code: 'CREDENTIALS_INVALID' });
      expect(o.detail).toContain('nope\\x1b[2K');
      expect(o.detail).toContain('\\u202e');
      expect(o.detail).toBe(escapeControl(o.detail ?? ''));
      for (const c of ['\u001b', '\r', '\u202e']) expect(o.detail).not.toContain(c);
    } finally {
      await evil.close();
    }
  });
});

describe('credentials check refuses plain http', () => {
  it('never sends the secret to an http token endpoint', async () => {
    // .invalid never resolves: had the request been sent, the outcome would be CREDENTIALS_UNCHECKED.
    const doc = { ...oktaDiscovery, token_endpoint: 'http://acme.invalid/oauth2/default/v1/token' };
    const o = await run(target(okta.issuer, doc), ctx('0oa-ok', SECRET));
    expect(o).toMatchObject({ status: 'fail', code: 'DISCOVERY_INSECURE_ENDPOINT' });
    expect(o.detail).toContain('http://acme.invalid/oauth2/default/v1/token');
  });
});
