// Issue 8 item 5, "hostile input keeps its promises": Cortex API answers of any status, content type
// and body, through the readers (src/cortex/types.ts) and the real client over one loopback server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODES } from '../../src/codes.js';
import { CortexApiError, createCortexClient } from '../../src/cortex/client.js';
import {
  type OidcConnection,
  parseCortexError,
  parseOidcConnection,
  parseSsoListing,
  parseViolations,
  type SsoListing,
} from '../../src/cortex/types.js';
import { Secret } from '../../src/secret.js';

// The regex test/cortex/client.test.ts uses for raw control characters in messages.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202e]/;
const TOKEN = 'canary-TOKEN-5e6f7a8b9c0d1e2f-MNOP';
const SECRET = 'canary-SECRET-0f1e2d3c4b5a6978-IJKL';
/** What an API might send back in an entry's `secret` member: never copied into a listing. */
const ENTRY_SECRET = 'canary-ENTRY-SECRET-77aa88bb99cc-EFGH';
const API_CODES = Object.keys(CODES).filter((c) => c.startsWith('API_'));

// ── generated answers ────────────────────────────────────────────────────────
/** Text with the things a hostile answer carries: control characters, bidi marks, the canaries. */
const hostileText = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          '\u001b[2J',
          '\r\nok: connector saved',
          '\u0007',
          '\u202e',
          '\u2028',
          '\u0085',
          '\u0000',
          '\t',
        ),
      },
      { weight: 2, arbitrary: fc.constantFrom(TOKEN, SECRET, `Bearer ${TOKEN}`, `secret=${SECRET}`) },
    ),
    { maxLength: 5 },
  )
  .map((parts) => parts.join(''));

const entryArb = fc.oneof(
  fc.record(
    {
      connectionId: fc.oneof(hostileText, fc.integer(), fc.constant(null)),
      connectionType: fc.oneof(fc.constantFrom('OKTA', 'GOOGLE', 'AZURE'), hostileText),
      type: fc.oneof(fc.constantFrom('client_secret_basic', 'SAML', 'saml2'), hostileText),
      id: fc.oneof(
        fc.constant('0oa1b2c3d4E5f6G7h8i9'),
        fc.string({ maxLength: 20 }),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      clientId: fc.string({ maxLength: 10 }),
      issuerUri: fc.oneof(fc.constant('https://acme.okta.com'), fc.string({ unit: 'binary', maxLength: 30 })),
      issuer: fc.string({ maxLength: 10 }),
      kind: fc.constantFrom('oidc', 'OIDC', 'saml', 'openid'),
      secret: fc.constant(ENTRY_SECRET),
      clientSecret: fc.constant(ENTRY_SECRET),
    },
    { requiredKeys: ['secret'] },
  ),
  fc.anything({ maxDepth: 2 }),
);

const listingBody = fc.oneof(
  fc.array(entryArb, { maxLength: 4 }),
  fc
    .tuple(
      fc.constantFrom(
        'configurations',
        'ssoConfigurations',
        'connections',
        'items',
        'data',
        'results',
        'other',
      ),
      fc.array(entryArb, { maxLength: 4 }),
    )
    .map(([k, v]) => ({ [k]: v })),
);

const errorBody = fc.oneof(
  fc.record(
    {
      message: hostileText,
      details: fc.oneof(
        hostileText,
        fc.jsonValue({ maxDepth: 2 }),
        fc.constant({ secret: SECRET, token: TOKEN }),
      ),
      requestId: hostileText,
      httpStatus: fc.integer({ min: 100, max: 599 }),
      type: hostileText,
    },
    { requiredKeys: [] },
  ),
  fc.record({
    violations: fc.oneof(
      fc.array(
        fc.record(
          { title: hostileText, description: hostileText, violationType: hostileText, pointer: hostileText },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  }),
  fc.record({ error: hostileText, error_description: hostileText }),
);

const jsonBody = fc.oneof(listingBody, errorBody, fc.jsonValue({ maxDepth: 3 }));

/** Body bytes: JSON (whole or cut short), HTML, plain text, or arbitrary bytes. */
const bodyBytes = fc.oneof(
  { weight: 4, arbitrary: jsonBody.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
  {
    weight: 1,
    arbitrary: fc.tuple(jsonBody, fc.nat()).map(([v, n]) => {
      const s = JSON.stringify(v) ?? 'null';
      return Buffer.from(s.slice(0, n % (s.length + 1)));
    }),
  },
  {
    weight: 1,
    arbitrary: hostileText.map((t) =>
      Buffer.from(`<!doctype html><html><title>${t}</title><body>${t}</body></html>`),
    ),
  },
  { weight: 1, arbitrary: hostileText.map((t) => Buffer.from(t)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('', 'null', '[]', '{}', '"x"', '0', ' ', '{"configurations":null}')
      .map((s) => Buffer.from(s)),
  },
);

/** A header value Node will send: printable ASCII, sometimes echoing a canary. */
const headerText = fc
  .oneof(
    fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 20,
    }),
    fc.constantFrom(TOKEN, `https://evil.example/steal?key=${TOKEN}`, `${SECRET}`),
  )
  .map((s) => s.trim());

const answerArb = fc.record({
  status: fc.oneof(
    fc.constantFrom(200, 201, 204, 301, 302, 307, 400, 401, 403, 404, 405, 409, 422, 429, 500, 502, 503, 504),
    fc.integer({ min: 200, max: 599 }),
  ),
  contentType: fc.option(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/problem+json',
      'text/html; charset=utf-8',
      'text/plain',
      'application/octet-stream',
      'APPLICATION/JSON',
    ),
    { nil: undefined },
  ),
  body: bodyBytes,
  location: fc.option(headerText, { nil: undefined }),
  requestId: fc.option(headerText, { nil: undefined }),
  retryAfter: fc.option(fc.constantFrom('0', '1', '120', 'soon', 'Wed, 21 Oct 2015 07:28:00 GMT'), {
    nil: undefined,
  }),
});
type AnswerSpec = typeof answerArb extends fc.Arbitrary<infer T> ? T : never;

// ── the promises ─────────────────────────────────────────────────────────────
function assertCleanConnection(c: OidcConnection): void {
  for (const v of [c.connectionId, c.connectionType, c.type, c.clientId, c.issuer]) {
    if (v === undefined) continue;
    expect(typeof v).toBe('string');
    expect(v).not.toMatch(CONTROL);
  }
  expect(c.clientId.length).toBeGreaterThan(0);
  expect(c.issuer.length).toBeGreaterThan(0);
  expect(JSON.stringify(c)).not.toContain(ENTRY_SECRET);
}

function assertListing(l: SsoListing): void {
  expect(Array.isArray(l.oidc)).toBe(true);
  expect(Number.isInteger(l.otherCount) && l.otherCount >= 0).toBe(true);
  for (const c of l.oidc) assertCleanConnection(c);
  expect(JSON.stringify(l)).not.toContain(ENTRY_SECRET);
}

function assertNoLeak(s: string | undefined, where: string): void {
  if (s === undefined) return;
  expect(s, where).not.toMatch(CONTROL);
  expect(s, where).not.toContain(TOKEN);
  expect(s, where).not.toContain(SECRET);
}

function assertDocumentedError(e: unknown, spec: AnswerSpec): void {
  expect(e).toBeInstanceOf(CortexApiError);
  const err = e as CortexApiError;
  expect(API_CODES).toContain(err.code);
  expect(typeof err.message).toBe('string');
  expect(err.message.length).toBeGreaterThan(0);
  assertNoLeak(err.message, 'message');
  // The detail is one line per violation: its own line breaks are layout, each line is quoted text.
  for (const line of err.detail?.split('\n') ?? []) assertNoLeak(line, 'detail line');
  assertNoLeak(err.requestId, 'requestId');
  for (const v of err.violations) {
    for (const f of [v.title, v.description, v.violationType, v.pointer]) assertNoLeak(f, 'violation');
  }
  expect(typeof err.mayHaveApplied).toBe('boolean');
  if (err.status === undefined) return; // a network failure (e.g. the timeout on a loaded machine)
  expect(err.status).toBe(spec.status);
  const byStatus: Record<number, string> = {
    401: 'API_UNAUTHORIZED',
    403: 'API_FORBIDDEN',
    404: 'API_NOT_FOUND',
    405: 'API_NOT_FOUND',
    409: 'API_CONFLICT',
    429: 'API_RATE_LIMITED',
  };
  const expected = byStatus[spec.status] ?? (spec.status >= 500 ? 'API_UNAVAILABLE' : undefined);
  if (expected !== undefined) expect(err.code).toBe(expected);
  if (spec.status >= 300 && spec.status < 400) expect(err.code).toBe('API_BAD_ANSWER');
}

describe('the Cortex API readers keep their promises on hostile bodies', () => {
  it('parseSsoListing never throws; a listing holds clean strings and never an entry secret', () => {
    let read = 0;
    fc.assert(
      fc.property(fc.oneof(listingBody, fc.anything({ maxDepth: 3 }), jsonBody), (body) => {
        const l = parseSsoListing(body);
        if (l === null) return;
        read++;
        assertListing(l);
        const roundTrip = parseSsoListing(JSON.parse(JSON.stringify(body) ?? 'null'));
        if (roundTrip !== null) assertListing(roundTrip);
      }),
      { numRuns: 2000 },
    );
    // The generated listings are read, not all refused: the assertions above ran on real output.
    expect(read).toBeGreaterThan(200);
  });

  it('parseOidcConnection never throws; an entry it reads holds clean strings and no secret', () => {
    let read = 0;
    fc.assert(
      fc.property(entryArb, (entry) => {
        const c = parseOidcConnection(entry);
        if (c !== null) {
          read++;
          assertCleanConnection(c);
        }
      }),
      { numRuns: 2000 },
    );
    expect(read).toBeGreaterThan(200);
  });

  it('parseCortexError and parseViolations never throw and answer their documented shapes', () => {
    // Their strings are raw on purpose: the client escapes and scrubs whatever it quotes (next test).
    fc.assert(
      fc.property(fc.oneof(errorBody, jsonBody, fc.anything({ maxDepth: 3, withBigInt: true })), (body) => {
        const e = parseCortexError(body);
        if (e !== null) {
          expect(typeof e.message).toBe('string');
          expect(e.message.length).toBeGreaterThan(0);
          for (const f of [e.details, e.requestId, e.type])
            if (f !== undefined) expect(typeof f).toBe('string');
        }
        for (const v of parseViolations(body)) {
          for (const f of [v.title, v.description, v.violationType, v.pointer])
            expect(typeof f).toBe('string');
          expect(v.title !== '' || v.description !== '').toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

/** A call's outcome, so that assertions about it are not themselves caught as its failure. */
async function settle<T>(p: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  try {
    return { value: await p };
  } catch (error) {
    return { error };
  }
}

describe('the Cortex client keeps its promises on any answer', () => {
  let server: Server;
  let baseUrl = '';
  let answer: AnswerSpec | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const a = answer;
        if (!a) {
          res.writeHead(500).end();
          return;
        }
        const headers: Record<string, string> = {};
        if (a.contentType !== undefined) headers['content-type'] = a.contentType;
        if (a.location) headers.location = a.location;
        if (a.requestId) headers['x-request-id'] = a.requestId;
        if (a.retryAfter !== undefined) headers['retry-after'] = a.retryAfter;
        res.writeHead(a.status, headers);
        res.end(a.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('each call resolves with its documented shape or rejects with a documented API_* error, secrets scrubbed', async () => {
    const connectionId = fc.oneof(
      fc.constant('c-1'),
      hostileText.filter((s) => s !== ''),
    );
    await fc.assert(
      fc.asyncProperty(answerArb, connectionId, async (spec, id) => {
        answer = spec;
        // A fresh client per run, and the POST first: a server can echo the client secret only
        // after it was sent, and the client scrubs the secrets it has sent.
        const client = createCortexClient({
          baseUrl,
          token: new Secret(TOKEN),
          maxTries: 1,
          timeoutMs: 3000,
          sleep: async () => {},
        });
        const created = await settle(
          client.createOidcConnection({
            connectionType: 'OKTA',
            clientId: '0oa1b2c3d4E5f6G7h8i9',
            clientSecret: new Secret(SECRET),
            issuer: 'https://acme.okta.com',
          }),
        );
        if ('error' in created) assertDocumentedError(created.error, spec);
        else {
          expect(spec.status >= 200 && spec.status < 300).toBe(true);
          if (created.value !== null) assertCleanConnection(created.value);
        }
        const listed = await settle(client.listConfigurations());
        if ('error' in listed) assertDocumentedError(listed.error, spec);
        else {
          expect(spec.status).toBe(200);
          assertListing(listed.value);
        }
        const deleted = await settle(client.deleteConnection(id));
        if ('error' in deleted) assertDocumentedError(deleted.error, spec);
        else expect(['deleted', 'not-found']).toContain(deleted.value);
      }),
      { numRuns: 300 },
    );
  });
});
