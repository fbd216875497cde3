// The real client against scripted HTTP servers on loopback that answer the way Cortex does (the
// routes and bodies in src/cortex/types.ts, docs/api.md) and the way a wrong URL, a proxy or a
// broken gateway does: every answer is untrusted input.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CortexApiError, type CortexClientOptions, createCortexClient } from '../../src/cortex/client.js';
import { CortexSsoError } from '../../src/errors.js';
import { retryAfterMs } from '../../src/retry-after.ts';
import { Secret } from '../../src/secret.js';

const TOKEN = 'canary-TOKEN-8c1d2e3f4a5b6c7d-QRST';
const SECRET = 'canary-SECRET-aa11bb22cc33dd44-WXYZ';
const INPUT = {
  connectionType: 'OKTA' as const,
  clientId: '0oa1b2c3d4E5f6G7h8i9',
  clientSecret: new Secret(SECRET),
  issuer: 'https://acme.okta.com',
};
const ENTRY = {
  connectionId: 'c-1',
  connectionType: 'OKTA',
  type: 'client_secret_basic',
  id: INPUT.clientId,
  issuerUri: INPUT.issuer,
};

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Handler = (req: Seen, res: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A server that records every request and answers with `handler`. */
async function scripted(handler: Handler): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      handler(s, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Cortex's error body (cortexapps/cli cortex_client.py reads message, details, requestId). */
function cortexError(status: number, type: string, message: string, details = 'See the API documentation') {
  return { message, details, requestId: 'req-123', httpStatus: status, type };
}

let sleeps: number[] = [];
function client(url: string, over: Partial<CortexClientOptions> = {}) {
  sleeps = [];
  return createCortexClient({
    baseUrl: url,
    token: new Secret(TOKEN),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...over,
  });
}

/** Runs `p`, expects a CortexApiError that never carries the API key or the client secret. */
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

describe('listing the SSO configurations', () => {
  it('sends GET /api/v1/sso/configurations with the bearer key and reads {"configurations": [...]}', async () => {
    const api = await scripted((_req, res) => json(res, 200, { configurations: [ENTRY] }));
    const listing = await client(api.url).listConfigurations();
    expect(api.seen[0]).toMatchObject({ method: 'GET', url: '/api/v1/sso/configurations' });
    expect(api.seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(listing).toEqual({
      oidc: [
        {
          connectionId: 'c-1',
          connectionType: 'OKTA',
          type: 'client_secret_basic',
          clientId: INPUT.clientId,
          issuer: INPUT.issuer,
        },
      ],
      otherCount: 0,
    });
  });

  it('keeps a base path prefix (self-hosted Cortex behind /cortex-api)', async () => {
    const api = await scripted((_req, res) => json(res, 200, []));
    await client(`${api.url}/cortex-api/`).listConfigurations();
    expect(api.seen[0]?.url).toBe('/cortex-api/api/v1/sso/configurations');
  });

  it('accepts a bare array, ignores unknown fields and other kinds, and never copies a secret', async () => {
    const api = await scripted((_req, res) =>
      json(res, 200, [
        { ...ENTRY, secret: 'leaked-secret-value-0000', createdAt: '2026-01-01', extra: { a: 1 } },
        { connectionId: 's-1', type: 'SAML', metadataUrl: 'https://idp.example/metadata' },
        {
          connectionId: 7,
          connectionType: 'GOOGLE',
          id: 'g-client',
          issuerUri: 'https://accounts.google.com',
        },
        'not an object',
      ]),
    );
    const listing = await client(api.url).listConfigurations();
    expect(listing.oidc.map((c) => c.connectionId)).toEqual(['c-1', '7']);
    expect(listing.otherCount).toBe(2);
    expect(JSON.stringify(listing)).not.toContain('leaked-secret-value');
    expect(inspect(listing, { depth: 5 })).not.toContain('leaked-secret-value');
  });

  it('an empty workspace is an empty list, not an error', async () => {
    const api = await scripted((_req, res) => json(res, 200, { configurations: [] }));
    expect(await client(api.url).listConfigurations()).toEqual({ oidc: [], otherCount: 0 });
  });

  it('a 404 says the API URL or route is wrong, and never "no connector"', async () => {
    const api = await scripted((_req, res) => json(res, 404, cortexError(404, 'NOT_FOUND', 'Not found')));
    const e = await failure(client(api.url).listConfigurations());
    expect(e.code).toBe('API_NOT_FOUND');
    expect(e.message).toContain(`${api.url}/api/v1/sso/configurations`);
    expect(e.message).toMatch(/API URL or route is wrong/);
    expect(e.message).not.toMatch(/no connector/i);
  });

  it.each([
    [
      'an HTML page (the web app, a login portal)',
      'text/html',
      '<!doctype html><title>Cortex</title>',
      /text\/html body/,
    ],
    [
      'truncated JSON',
      'application/json',
      '{"configurations": [{"connectionId": "c-1", "id":',
      /truncated or invalid JSON/,
    ],
    ['JSON of another shape', 'application/json', '{"entities": [], "page": 0}', /JSON of another shape/],
    ['an empty body', 'application/json', '', /an empty body/],
  ])('a 200 with %s is API_BAD_ANSWER naming the API URL', async (_name, type, body, said) => {
    const api = await scripted((_req, res) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    });
    const e = await failure(client(api.url).listConfigurations());
    expect(e.code).toBe('API_BAD_ANSWER');
    expect(e.message).toContain(api.url);
    expect(e.message).toMatch(said);
    expect(e.message).toMatch(/Is the API URL right\?/);
  });

  it('a redirect to another origin is not followed: the key never travels there', async () => {
    const elsewhere = await scripted((_req, res) => json(res, 200, { configurations: [] }));
    const api = await scripted((_req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}/api/v1/sso/configurations?sig=abc` });
      res.end();
    });
    const e = await failure(client(api.url).listConfigurations());
    expect(e.code).toBe('API_BAD_ANSWER');
    expect(e.message).toContain(`redirect to ${elsewhere.url}/api/v1/sso/configurations`);
    expect(e.message).not.toContain('sig=abc');
    expect(elsewhere.seen).toHaveLength(0);
  });

  it('a body over the size cap is refused, not buffered', async () => {
    const api = await scripted((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"configurations": [${'{"a":1},'.repeat(20_000)}{}]}`);
    });
    const e = await failure(client(api.url, { maxResponseBytes: 64 * 1024 }).listConfigurations());
    expect(e.code).toBe('API_BAD_ANSWER');
    expect(e.message).toMatch(/larger than the limit/);
  });

  it('an answer that drips forever ends at the timeout, body included', async () => {
    const api = await scripted((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"configurations": [');
      const t = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(t));
    });
    const started = Date.now();
    const e = await failure(client(api.url, { timeoutMs: 400, maxTries: 1 }).listConfigurations());
    expect(e.code).toBe('API_UNAVAILABLE');
    expect(e.message).toMatch(/no complete answer within 400 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('text from the answer cannot repaint the terminal or forge a line of output', async () => {
    const api = await scripted((_req, res) =>
      json(res, 500, cortexError(500, 'INTERNAL', 'boom\u001b[2J\r\nok: connector saved\u202e', 'x\u0007')),
    );
    const e = await failure(client(api.url, { maxTries: 1 }).listConfigurations());
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for raw control characters
    expect(e.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(e.message).toContain('boom\\x1b[2J\\r\\nok: connector saved\\u202e');
  });

  // Found by test/property/cortex-api.property.test.ts: a JSON `null` error body made the client
  // throw a TypeError instead of its documented CortexApiError.
  it.each([401, 500])(
    'an HTTP %i whose JSON body is null is a documented error, not a TypeError',
    async (status) => {
      const api = await scripted((_req, res) => json(res, status, 'null'));
      const e = await failure(client(api.url, { maxTries: 1 }).listConfigurations());
      expect(e).toBeInstanceOf(CortexApiError);
      expect(e.code).toBe(status === 401 ? 'API_UNAUTHORIZED' : 'API_UNAVAILABLE');
      const d = await failure(client(api.url, { maxTries: 1 }).deleteConnection('c-1'));
      expect(d).toBeInstanceOf(CortexApiError);
    },
  );

  it('honours Retry-After on 429, then succeeds', async () => {
    let n = 0;
    const api = await scripted((_req, res) => {
      n += 1;
      if (n === 1)
        return json(res, 429, cortexError(429, 'TOO_MANY_REQUESTS', 'Rate limited'), { 'retry-after': '2' });
      json(res, 200, { configurations: [] });
    });
    await client(api.url).listConfigurations();
    expect(api.seen).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
  });

  it('gives up with API_RATE_LIMITED when Retry-After is beyond the budget', async () => {
    const api = await scripted((_req, res) =>
      json(res, 429, cortexError(429, 'TOO_MANY_REQUESTS', 'Rate limited'), { 'retry-after': '120' }),
    );
    const e = await failure(client(api.url, { maxWaitMs: 5000 }).listConfigurations());
    expect(e.code).toBe('API_RATE_LIMITED');
    expect(e.detail).toMatch(/Retry-After asked for 120 s/);
    expect(sleeps).toEqual([]);
  });

  it('retries a 503 on GET with backoff and names the tries', async () => {
    const api = await scripted((_req, res) => json(res, 503, cortexError(503, 'UNAVAILABLE', 'Down')));
    const e = await failure(client(api.url).listConfigurations());
    expect(e.code).toBe('API_UNAVAILABLE');
    expect(api.seen).toHaveLength(3);
    expect(e.message).toMatch(/after 3 tries/);
    expect(sleeps).toHaveLength(2);
  });

  it.each([
    [401, 'API_UNAUTHORIZED', 'Unauthorized'],
    [403, 'API_FORBIDDEN', 'Forbidden'],
    [409, 'API_CONFLICT', 'Conflict'],
    [410, 'API_ERROR', 'Gone'],
  ])('HTTP %i -> %s, quoting Cortex message, details and requestId', async (status, code, message) => {
    const api = await scripted((_req, res) =>
      json(res, status, cortexError(status, message.toUpperCase(), message)),
    );
    const e = await failure(client(api.url).listConfigurations());
    expect(e.code).toBe(code);
    expect(e.message).toContain(`HTTP ${status}: ${message}: See the API documentation`);
    expect(e.requestId).toBe('req-123');
  });

  it('maps the statuses Cortex may answer to their codes', async () => {
    const codeFor = async (status: number) => {
      const api = await scripted((_req, res) => json(res, status, cortexError(status, 'X', 'Refused')));
      return (await failure(client(api.url, { maxTries: 1 }).listConfigurations())).code;
    };
    expect(await codeFor(401)).toBe('API_UNAUTHORIZED');
    expect(await codeFor(403)).toBe('API_FORBIDDEN');
    expect(await codeFor(409)).toBe('API_CONFLICT');
    expect(await codeFor(410)).toBe('API_ERROR');
    expect(await codeFor(429)).toBe('API_RATE_LIMITED');
    expect(await codeFor(502)).toBe('API_UNAVAILABLE');
  });

  it('a refused connection is API_UNAVAILABLE after retries', async () => {
    const api = await scripted(() => undefined);
    const url = api.url;
    await new Promise((r) => servers.pop()?.close(r));
    const e = await failure(client(url).listConfigurations());
    expect(e.code).toBe('API_UNAVAILABLE');
    expect(e.message).toMatch(/ECONNREFUSED/);
    expect(e.mayHaveApplied).toBe(false);
  });
});

describe('creating an OIDC connection', () => {
  it("sends exactly the body Cortex's CLI sends, and reads the created entry", async () => {
    const api = await scripted((_req, res) => json(res, 200, { ...ENTRY, connectionId: 'c-9' }));
    const created = await client(api.url).createOidcConnection(INPUT);
    const req = api.seen[0];
    expect(req).toMatchObject({ method: 'POST', url: '/api/v1/sso/oidc/configurations' });
    expect(req?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req?.body ?? '')).toEqual({
      type: 'client_secret_basic',
      id: INPUT.clientId,
      secret: SECRET,
      issuerUri: INPUT.issuer,
      connectionType: 'OKTA',
    });
    expect(created?.connectionId).toBe('c-9');
  });

  it('an empty 201/204 answer is fine: the caller reads the list back', async () => {
    const api = await scripted((_req, res) => res.writeHead(204).end());
    expect(await client(api.url).createOidcConnection(INPUT)).toBeNull();
  });

  it('a 500 is not retried (it may have applied), and says so', async () => {
    const api = await scripted((_req, res) => json(res, 500, cortexError(500, 'INTERNAL', 'Internal error')));
    const e = await failure(client(api.url).createOidcConnection(INPUT));
    expect(api.seen).toHaveLength(1);
    expect(e.code).toBe('API_UNAVAILABLE');
    expect(e.mayHaveApplied).toBe(true);
  });

  it('a 429 is retried (Cortex did not process it), honouring Retry-After', async () => {
    let n = 0;
    const api = await scripted((_req, res) => {
      n += 1;
      if (n === 1)
        return json(res, 429, cortexError(429, 'TOO_MANY_REQUESTS', 'Slow down'), { 'retry-after': '1' });
      json(res, 200, ENTRY);
    });
    await client(api.url).createOidcConnection(INPUT);
    expect(api.seen).toHaveLength(2);
    expect(sleeps).toEqual([1000]);
  });

  it("a 400 with Cortex's violations lists each field, and changed nothing", async () => {
    const api = await scripted((_req, res) =>
      json(res, 400, {
        violations: [
          {
            title: 'Invalid field',
            description: 'must be an https URL',
            violationType: 'INVALID_FIELD',
            pointer: '/issuerUri',
          },
        ],
      }),
    );
    const e = await failure(client(api.url).createOidcConnection(INPUT));
    expect(e.code).toBe('API_BAD_REQUEST');
    expect(e.detail).toBe('/issuerUri: must be an https URL');
    expect(e.mayHaveApplied).toBe(false);
  });

  it('an error that echoes the request body never shows the secret or the key', async () => {
    const api = await scripted((req, res) =>
      json(
        res,
        400,
        cortexError(400, 'BAD_REQUEST', `Bad body: ${req.body}`, `auth was ${req.headers.authorization}`),
      ),
    );
    const e = await failure(client(api.url).createOidcConnection(INPUT));
    expect(e.message).toContain('****WXYZ');
    expect(e.message).toContain('****QRST');
  });
});

describe('deleting one connection', () => {
  it('DELETE /api/v1/sso/configurations/{id}, the id encoded', async () => {
    const api = await scripted((_req, res) => res.writeHead(204).end());
    expect(await client(api.url).deleteConnection('c 1/2')).toBe('deleted');
    expect(api.seen[0]).toMatchObject({ method: 'DELETE', url: '/api/v1/sso/configurations/c%201%2F2' });
  });

  it('a JSON 404 means the connection is gone; an HTML 404 means the route is wrong', async () => {
    const json404 = await scripted((_req, res) =>
      json(res, 404, cortexError(404, 'NOT_FOUND', 'No such connection')),
    );
    expect(await client(json404.url).deleteConnection('c-1')).toBe('not-found');
    const html404 = await scripted((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html><body>Not Found</body></html>');
    });
    const e = await failure(client(html404.url).deleteConnection('c-1'));
    expect(e.code).toBe('API_NOT_FOUND');
  });
});

describe('base URL and Retry-After parsing', () => {
  it('refuses plain http except on loopback, and URLs with credentials', () => {
    expect(() => client('http://api.example.com')).toThrow(/must be https/);
    expect(() => client('https://user:pw@api.example.com')).toThrow(/credentials/);
    expect(() => client('http://127.0.0.1:1')).not.toThrow();
  });

  it('Retry-After is read as seconds or an HTTP date', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Tue, 01 Dec 2026 10:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});
