// The real client against the reference server on loopback: CRUD, error codes, ETags, retries
// with a recording fake sleep, dead and broken servers, and a canary token that must never leak.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CortexApiError,
  type CortexClientOptions,
  createCortexClient,
  parseRetryAfter,
} from '../../src/cortex/client.js';
import { type ApiServer, startApiServer } from '../../src/cortex/server.js';
import { CONNECTOR_PATH } from '../../src/cortex/types.js';
import { CortexSsoError } from '../../src/errors.js';
import { Secret } from '../../src/secret.js';

const TOKEN = 'canary-TOKEN-8c1d2e3f4a5b6c7d-QRST';
const READ_TOKEN = 'canary-READ-9f8e7d6c5b4a-MNOP';
const SECRET = 'canary-SECRET-aa11bb22cc33dd44-WXYZ';
const BODY = {
  type: 'okta' as const,
  clientId: '0oa1b2c3d4E5f6G7h8',
  clientSecret: new Secret(SECRET),
  issuer: 'https://acme.okta.com',
};

let server: ApiServer;
let sleeps: number[];

function client(over: Partial<CortexClientOptions> = {}) {
  return createCortexClient({
    baseUrl: server.url,
    token: new Secret(TOKEN),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...over,
  });
}

/** Runs `p`, expects a CortexApiError, checks it never carries the token or the secret. */
async function failure(p: Promise<unknown>): Promise<CortexApiError> {
  const err = await p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CortexSsoError);
  expect(err).toBeInstanceOf(CortexApiError);
  const e = err as CortexApiError;
  const shown = `${e.message}\n${e.detail ?? ''}\n${inspect(e, { depth: 8 })}\n${JSON.stringify(e)}`;
  expect(shown).not.toContain(TOKEN);
  expect(shown).not.toContain(SECRET);
  return e;
}

beforeEach(async () => {
  sleeps = [];
  server = await startApiServer({ tokens: [TOKEN], readOnlyTokens: [READ_TOKEN] });
});
afterEach(async () => {
  await server.close();
});

describe('CRUD through the client', () => {
  it('get -> null, put, get, put with If-Match, validate shape, delete -> true, delete -> false', async () => {
    const c = client();
    expect(await c.getConnector()).toBeNull();

    const put = await c.putConnector(BODY);
    expect(put.etag).toBe('"v1"');
    expect(put.connector).toMatchObject({
      type: 'okta',
      clientId: BODY.clientId,
      clientSecretLastFour: 'WXYZ',
    });
    expect(put.connector.issuer).toBe(BODY.issuer);

    const got = await c.getConnector();
    expect(got).toEqual(put);

    const again = await c.putConnector(
      { ...BODY, issuer: 'https://acme.okta.com/oauth2/default' },
      { ifMatch: got!.etag },
    );
    expect(again.etag).toBe('"v2"');
    expect(again.connector.version).toBe(2);

    expect(await c.deleteConnector()).toBe(true);
    expect(await c.getConnector()).toBeNull();
    expect(await c.deleteConnector()).toBe(false);

    // The token went only in the Authorization header, as a Bearer token.
    for (const r of server.requests) {
      expect(r.headers.authorization).toBe('Bearer [redacted]');
      expect(r.headers['user-agent']).toBe('cortex-sso');
    }
  });

  it('sends the secret to the API (it must store it) but returns only its last four', async () => {
    const put = await client().putConnector(BODY);
    expect(JSON.stringify(put)).not.toContain(SECRET);
    expect(put.connector.clientSecretLastFour).toBe(SECRET.slice(-4));
  });

  it('keeps a path prefix of a self-hosted base URL', async () => {
    const c = client({ baseUrl: `${server.url}/` });
    expect(c.baseUrl).toBe(server.url);
    const prefixed = client({ baseUrl: `${server.url}/cortex` });
    expect(prefixed.baseUrl).toBe(`${server.url}/cortex`);
    // The reference server has no prefix: the API's own 404 NOT_FOUND for the route.
    await prefixed.getConnector();
    expect(server.requests.at(-1)?.path).toBe(`/cortex${CONNECTOR_PATH}`);
  });

  it('refuses a plain-http base URL off loopback and URLs with credentials', () => {
    expect(() => client({ baseUrl: 'http://api.example.com' })).toThrow(/must be https/);
    expect(() => client({ baseUrl: 'https://u:p@api.example.com' })).toThrow(/credentials/);
    expect(() => client({ baseUrl: 'nope' })).toThrow(CortexSsoError);
  });
});

describe('error codes', () => {
  it('401 -> API_UNAUTHORIZED, with the API message and requestId, for a wrong token', async () => {
    const e = await failure(client({ token: new Secret('wrong-token-12345678') }).getConnector());
    expect(e.code).toBe('API_UNAUTHORIZED');
    expect(e.status).toBe(401);
    expect(e.message).toContain('Missing or invalid API token');
    expect(e.requestId).toBeTruthy();
    expect(e.message).toContain(`requestId ${e.requestId}`);
    expect(server.requests.at(-1)?.requestId).toBe(e.requestId);
  });

  it('403 -> API_FORBIDDEN for a read-only token', async () => {
    const e = await failure(client({ token: new Secret(READ_TOKEN) }).putConnector(BODY));
    expect(e.code).toBe('API_FORBIDDEN');
    expect(e.message).toContain('Configure OpenID Connector & SCIM');
  });

  it('400 -> API_BAD_REQUEST with each field in detail and fieldErrors', async () => {
    const e = await failure(
      client().putConnector({ ...BODY, clientId: 'a b', issuer: 'https://acme.okta.com/' }),
    );
    expect(e.code).toBe('API_BAD_REQUEST');
    expect(e.fieldErrors).toEqual([
      { field: 'clientId', message: 'must not contain whitespace' },
      { field: 'issuer', message: 'must not end with a slash' },
    ]);
    expect(e.detail).toBe('clientId: must not contain whitespace\nissuer: must not end with a slash');
  });

  it('412 on a stale ETag after a concurrent change -> API_CONFLICT; "*" on none -> API_CONFLICT', async () => {
    const me = client();
    const other = client();
    await me.putConnector(BODY);
    const read = await me.getConnector();
    await other.putConnector({ ...BODY, clientId: 'changed-by-someone-else' });
    const e = await failure(me.putConnector(BODY, { ifMatch: read!.etag }));
    expect(e.code).toBe('API_CONFLICT');
    expect(e.status).toBe(412);
    expect((await me.getConnector())?.connector.clientId).toBe('changed-by-someone-else');

    await me.deleteConnector();
    const none = await failure(me.putConnector(BODY, { ifMatch: '*' }));
    expect(none.code).toBe('API_CONFLICT');
  });

  it('a 404 that is not the API\'s own NOT_FOUND is not mistaken for "no connector"', async () => {
    const html404 = await startStub((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html><body>Not Found</body></html>');
    });
    try {
      const e = await failure(client({ baseUrl: html404.url }).getConnector());
      expect(e.code).toBe('API_ERROR');
      expect(e.message).toMatch(/non-JSON text\/html.*API URL/);
    } finally {
      await html404.close();
    }
  });
});

describe('retries', () => {
  it('429 with Retry-After, then success: waits exactly Retry-After and succeeds', async () => {
    server.failNext(1, 429, 2);
    const got = await client().getConnector();
    expect(got).toBeNull();
    expect(sleeps).toEqual([2000]);
    expect(server.requests.map((r) => r.status)).toEqual([429, 404]);
  });

  it('429 on PUT without If-Match is retried too (the API did not act on it)', async () => {
    server.failNext(1, 429, 1);
    const put = await client().putConnector(BODY);
    expect(put.etag).toBe('"v1"');
    expect(sleeps).toEqual([1000]);
  });

  it('503 three times -> API_UNAVAILABLE after exactly 3 tries, with growing backoff', async () => {
    server.failNext(3, 503);
    const e = await failure(client().getConnector());
    expect(e.code).toBe('API_UNAVAILABLE');
    expect(e.tries).toBe(3);
    expect(e.message).toContain('after 3 tries');
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    // Exponential with jitter (random fixed at 0.5): 500 ms base, doubling.
    expect(sleeps).toEqual([375, 750]);
  });

  it('Retry-After beyond the wait budget: gives up at once, without sleeping', async () => {
    server.failNext(1, 429, 60);
    const e = await failure(client({ maxWaitMs: 20_000 }).getConnector());
    expect(e.code).toBe('API_RATE_LIMITED');
    expect(sleeps).toEqual([]);
    expect(server.requests).toHaveLength(1);
    expect(e.detail).toMatch(/Retry-After asked for 60 s, beyond the retry budget/);
  });

  it('the total wait never exceeds maxWaitMs', async () => {
    server.failNext(5, 503);
    const e = await failure(client({ maxTries: 5, maxWaitMs: 1000 }).getConnector());
    expect(e.code).toBe('API_UNAVAILABLE');
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1000);
  });

  it('PUT without If-Match is not repeated after a 503 (it may have been applied)', async () => {
    server.failNext(1, 503);
    const e = await failure(client().putConnector(BODY));
    expect(e.code).toBe('API_UNAVAILABLE');
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('PUT with If-Match and POST validate are retried after a 503', async () => {
    const c = client();
    const { etag } = await c.putConnector(BODY);
    server.failNext(1, 503);
    expect((await c.putConnector(BODY, { ifMatch: etag })).etag).toBe('"v2"');
    server.failNext(1, 504);
    // Validation of an unreachable issuer: the answer, not an error.
    const v = await client().validateConnector({
      ...BODY,
      issuer: `https://127.0.0.1:${await closedPort()}`,
    });
    expect(v.isValid).toBe(false);
    expect(sleeps).toHaveLength(2);
  });

  it('an HTML 502 from a load balancer is handled: retried, then API_UNAVAILABLE naming the content type', async () => {
    server.failNext(1, 502);
    expect(await client().getConnector()).toBeNull();
    server.failNext(1, 502);
    const e = await failure(client({ maxTries: 1 }).getConnector());
    expect(e.code).toBe('API_UNAVAILABLE');
    expect(e.status).toBe(502);
    expect(e.message).toContain('HTTP 502: a non-JSON text/html answer');
    expect(e.message).toMatch(/requestId [0-9a-f-]{36}/);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-29T10:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('network failures', () => {
  it('API down (closed port) -> API_UNAVAILABLE after retries, naming ECONNREFUSED', async () => {
    const port = await closedPort();
    const e = await failure(client({ baseUrl: `http://127.0.0.1:${port}` }).getConnector());
    expect(e.code).toBe('API_UNAVAILABLE');
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.tries).toBe(3);
    expect(sleeps).toHaveLength(2);
  });

  it('a server that never answers -> API_UNAVAILABLE after the per-try timeout', async () => {
    const silent = await startStub(() => {
      // never answer
    });
    try {
      const e = await failure(client({ baseUrl: silent.url, timeoutMs: 200, maxTries: 1 }).getConnector());
      expect(e.code).toBe('API_UNAVAILABLE');
      expect(e.message).toContain('no answer within 200 ms');
    } finally {
      await silent.close();
    }
  });
});

describe('the token never leaks', () => {
  it('is scrubbed even when a server echoes it back in error messages and field details', async () => {
    const echo = await startStub((req, res) => {
      const auth = req.headers.authorization ?? '';
      res.writeHead(400, { 'content-type': 'application/json', 'x-request-id': 'req-echo' });
      res.end(
        JSON.stringify({
          message: `bad header ${auth}`,
          type: 'BAD_REQUEST',
          details: [{ field: 'authorization', message: `got ${auth}` }],
          requestId: 'req-echo',
          httpStatus: 400,
        }),
      );
    });
    try {
      const e = await failure(client({ baseUrl: echo.url }).putConnector(BODY));
      expect(e.code).toBe('API_BAD_REQUEST');
      expect(e.message).toContain('bad header Bearer ****QRST');
      expect(e.detail).toContain('got Bearer ****QRST');
    } finally {
      await echo.close();
    }
  });

  it('does not follow a redirect (the token would go along)', async () => {
    let hits = 0;
    const target = await startStub((_req, res) => {
      hits++;
      res.end('{}');
    });
    const redirect = await startStub((_req, res) => {
      res.writeHead(307, { location: `${target.url}${CONNECTOR_PATH}` });
      res.end();
    });
    try {
      const e = await failure(client({ baseUrl: redirect.url }).getConnector());
      expect(e.code).toBe('API_ERROR');
      expect(e.message).toContain('redirect to');
      expect(hits).toBe(0);
    } finally {
      await redirect.close();
      await target.close();
    }
  });

  it('is absent from every error of this suite (401, 403, 400, 412, 429, 5xx, network)', async () => {
    // failure() checks message, detail, inspect() and JSON of each error; this adds the remaining codes.
    server.failNext(1, 429, 999);
    await failure(client().getConnector());
    await failure(
      client({ baseUrl: `http://127.0.0.1:${await closedPort()}`, maxTries: 1 }).deleteConnector(),
    );
  });
});

// ── helpers ───────────────────────────────────────────────────────────────────

async function startStub(
  handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const s: Server = createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      }),
  };
}

/** A port that was free a moment ago and has nothing listening now. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
