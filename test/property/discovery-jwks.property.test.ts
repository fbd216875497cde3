// Issue 8 item 5, "hostile input keeps its promises": the discovery document judge and the JWK
// validator over arbitrary JSON and near-valid documents and keys.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeDocument } from '../../src/checks/discovery.js';
import { keyProblems } from '../../src/checks/jwks.js';
import { CODES } from '../../src/codes.js';
import { OKTA_DOMAINS, type ParsedIssuer, parseIssuer } from '../../src/okta/issuer.js';

const DISCOVERY_CODES = [
  'DISCOVERY_ISSUER_MISMATCH',
  'DISCOVERY_MISSING_FIELD',
  'DISCOVERY_INSECURE_ENDPOINT',
];
/** Names an attacker would pick to reach Object.prototype through a lookup table. */
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype'];

function parsed(input: string, allowHttpLoopback = false): ParsedIssuer {
  const r = parseIssuer(input, { allowHttpLoopback });
  if (!r.ok) throw new Error(`test setup: ${input} is not an issuer: ${r.message}`);
  return r.value;
}

// ── issuers and documents ────────────────────────────────────────────────────
const org = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,12}[a-z0-9])?$/).filter((o) => !o.endsWith('-admin'));
const issuerArb = fc
  .oneof(
    fc
      .tuple(
        org,
        fc.constantFrom(...OKTA_DOMAINS),
        fc.option(fc.oneof(fc.constant('default'), fc.stringMatching(/^aus[a-zA-Z0-9]{4,12}$/)), {
          nil: undefined,
        }),
      )
      .map(([o, d, id]) => `https://${o}.${d}${id === undefined ? '' : `/oauth2/${id}`}`),
    fc.webUrl({ validSchemes: ['https'] }).map((u) => u.replace(/[?#].*$/, '')),
    fc.constantFrom(
      'https://tenant.auth0.com/',
      'https://login.example.com/realms/main',
      'https://[::1]:8443',
    ),
  )
  .filter((s) => parseIssuer(s).ok)
  .map((s) => parsed(s));

const httpsUrl = fc.webUrl({ validSchemes: ['https'], withQueryParameters: true });
const sigAlgs = fc.uniqueArray(fc.constantFrom('RS256', 'RS384', 'ES256', 'PS256', 'EdDSA'), {
  minLength: 1,
  maxLength: 4,
});
const responseTypes = fc
  .uniqueArray(fc.constantFrom('id_token', 'code id_token', 'token', 'none'), { maxLength: 3 })
  .chain((others) => fc.shuffledSubarray(['code', ...others], { minLength: others.length + 1 }));
/** Extra members that are not endpoints (endpoints are judged for https). */
const extras = fc.dictionary(
  fc
    .string({ maxLength: 12 })
    .filter(
      (k) =>
        !k.endsWith('_endpoint') &&
        !['issuer', 'jwks_uri', 'check_session_iframe', 'response_types_supported'].includes(k) &&
        k !== 'id_token_signing_alg_values_supported' &&
        k !== '__proto__',
    ),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 4 },
);

const validDocument = fc
  .record({
    issuer: issuerArb,
    authorization_endpoint: httpsUrl,
    token_endpoint: httpsUrl,
    jwks_uri: httpsUrl,
    userinfo_endpoint: fc.option(httpsUrl, { nil: undefined }),
    response_types_supported: responseTypes,
    id_token_signing_alg_values_supported: sigAlgs,
    extras,
  })
  .map(({ issuer, extras: more, userinfo_endpoint, ...fields }) => ({
    issuer,
    doc: {
      ...more,
      ...fields,
      ...(userinfo_endpoint === undefined ? {} : { userinfo_endpoint }),
      issuer: issuer.issuer,
    } as Record<string, unknown>,
  }));

/** Arbitrary JSON objects, and near-valid documents with one field replaced by anything. */
const hostileDocument = fc.oneof(
  fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
  fc.object({ maxDepth: 3 }),
  fc.jsonValue().map((v) => ({ issuer: v, jwks_uri: v, token_endpoint: v, response_types_supported: v })),
  fc
    .tuple(
      validDocument,
      fc.constantFrom(
        'issuer',
        'authorization_endpoint',
        'token_endpoint',
        'jwks_uri',
        'userinfo_endpoint',
        'end_session_endpoint',
        'check_session_iframe',
        'response_types_supported',
        'id_token_signing_alg_values_supported',
      ),
      fc.oneof(
        fc.anything({ maxDepth: 2 }),
        fc.constantFrom('', 'http://idp.example.com/token', 'javascript:alert(1)', 'not a url', [], [''], {}),
      ),
    )
    .map(([{ doc }, field, value]) => ({ ...doc, [field]: value })),
);

function assertDocumentedProblems(problems: ReturnType<typeof judgeDocument>): void {
  expect(Array.isArray(problems)).toBe(true);
  const codes = problems.map((p) => p.code);
  expect(new Set(codes).size).toBe(codes.length);
  for (const p of problems) {
    expect(DISCOVERY_CODES).toContain(p.code);
    expect(CODES).toHaveProperty(p.code);
    expect(typeof p.title).toBe('string');
    expect(p.title.length).toBeGreaterThan(0);
    expect(typeof p.detail).toBe('string');
    expect(p.detail.length).toBeGreaterThan(0);
    if (p.advice !== undefined) expect(typeof p.advice).toBe('string');
  }
}

describe('judgeDocument keeps its promises on hostile documents', () => {
  it('never throws on arbitrary JSON objects or near-valid documents; every code is documented', () => {
    fc.assert(
      fc.property(hostileDocument, issuerArb, fc.boolean(), (doc, issuer, allowHttp) => {
        assertDocumentedProblems(judgeDocument(doc, issuer, allowHttp));
        // As the check sees it: the same value after a JSON round trip.
        const wire = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
        assertDocumentedProblems(judgeDocument(wire, issuer, allowHttp));
      }),
      { numRuns: 1500 },
    );
  });

  it('passes a valid document with https endpoints and the exact issuer', () => {
    fc.assert(
      fc.property(validDocument, fc.boolean(), ({ doc, issuer }, allowHttp) => {
        expect(judgeDocument(doc, issuer, allowHttp)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('catches an issuer that differs by a trailing slash, case or scheme', () => {
    const mutation = fc.constantFrom('add-slash', 'drop-slash', 'upper-all', 'upper-path', 'http');
    fc.assert(
      fc.property(validDocument, mutation, ({ doc, issuer }, how) => {
        const i = issuer.issuer;
        const stated =
          how === 'add-slash'
            ? `${i}/`
            : how === 'drop-slash'
              ? i.replace(/\/$/, '')
              : how === 'upper-all'
                ? i.toUpperCase()
                : how === 'upper-path'
                  ? i.replace(/(\/\/[^/]+)(.*)$/, (_, h: string, p: string) => h + p.toUpperCase())
                  : i.replace(/^https:/, 'http:');
        fc.pre(stated !== i);
        const problems = judgeDocument({ ...doc, issuer: stated }, issuer, false);
        assertDocumentedProblems(problems);
        expect(problems.map((p) => p.code)).toContain('DISCOVERY_ISSUER_MISMATCH');
      }),
      { numRuns: 1000 },
    );
  });

  it('catches any endpoint that is not https', () => {
    fc.assert(
      fc.property(
        validDocument,
        fc.constantFrom(
          'authorization_endpoint',
          'token_endpoint',
          'jwks_uri',
          'userinfo_endpoint',
          'x_endpoint',
        ),
        fc.webUrl({ validSchemes: ['http'] }).filter((u) => !/^http:\/\/(localhost|127\.|\[::1\])/.test(u)),
        ({ doc, issuer }, field, url) => {
          const problems = judgeDocument({ ...doc, [field]: url }, issuer, true);
          expect(problems.map((p) => p.code)).toContain('DISCOVERY_INSECURE_ENDPOINT');
          expect(problems.find((p) => p.code === 'DISCOVERY_INSECURE_ENDPOINT')?.detail).toContain(field);
        },
      ),
      { numRuns: 500 },
    );
  });
});

// ── keys ─────────────────────────────────────────────────────────────────────
const b64url = fc.stringMatching(/^[A-Za-z0-9_-]{2,40}$/);
const validKey = fc.oneof(
  fc.record(
    { kty: fc.constant('RSA'), n: b64url, e: fc.constant('AQAB'), kid: b64url, use: fc.constant('sig') },
    { requiredKeys: ['kty', 'n', 'e', 'kid'] },
  ),
  fc.record({
    kty: fc.constant('RSA'),
    n: b64url,
    e: b64url,
    kid: b64url,
    alg: fc.constantFrom('RS256', 'RS512', 'PS256'),
  }),
  fc.record({
    kty: fc.constant('EC'),
    crv: fc.constantFrom('P-256', 'P-384'),
    x: b64url,
    y: b64url,
    kid: b64url,
    alg: fc.constantFrom('ES256', 'ES384'),
    use: fc.constant('sig'),
  }),
  fc.record({
    kty: fc.constant('OKP'),
    crv: fc.constant('Ed25519'),
    x: b64url,
    kid: b64url,
    alg: fc.constant('EdDSA'),
  }),
  fc.record({
    kty: fc.constant('RSA'),
    n: b64url,
    e: b64url,
    kid: b64url,
    use: fc.constant('enc'),
    alg: fc.constant('RSA-OAEP'),
  }),
);
const hostileKey = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.jsonValue({ maxDepth: 2 }),
  fc
    .tuple(
      validKey,
      fc.constantFrom('kty', 'kid', 'use', 'alg', 'n', 'e', 'crv', 'x', 'y', 'd', 'k'),
      fc.oneof(
        fc.anything({ maxDepth: 1 }),
        fc.constantFrom(...PROTOTYPE_NAMES, '', 'oct', 'EC', 'sig', 'enc'),
      ),
    )
    .map(([k, field, v]) => ({ ...k, [field]: v })),
);

describe('keyProblems keeps its promises on hostile keys', () => {
  it('never throws; answers a list of non-empty phrases (the check reports them as JWKS_INVALID)', () => {
    fc.assert(
      fc.property(hostileKey, (key) => {
        const problems = keyProblems(key);
        expect(Array.isArray(problems)).toBe(true);
        for (const p of problems) {
          expect(typeof p).toBe('string');
          expect(p.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('finds no problem in a well-formed public key, and one when private material is added', () => {
    fc.assert(
      fc.property(
        validKey,
        fc.constantFrom('d', 'p', 'q', 'dp', 'dq', 'qi'),
        b64url,
        (key, member, value) => {
          expect(keyProblems(key)).toEqual([]);
          expect(keyProblems(JSON.parse(JSON.stringify(key)))).toEqual([]);
          expect(keyProblems({ ...key, [member]: value }).join(' ')).toMatch(/private key material/);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
