// Issue 8 item 5, "hostile input keeps its promises": parseIssuer over thousands of generated inputs,
// arbitrary strings and realistic pastes alike (Okta domains, /oauth2/{id}, discovery and /v1/ paths,
// admin-console URLs, white space, mixed case, unicode, control characters).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/codes.js';
import {
  isLoopbackHost,
  OKTA_DOMAINS,
  type ParseIssuerOptions,
  type ParseIssuerResult,
  parseIssuer,
} from '../../src/okta/issuer.js';

const WELL_KNOWN = '/.well-known/openid-configuration';
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202e]/;

const opts = fc.record({ allowHttpLoopback: fc.boolean() });

// ── realistic pieces ─────────────────────────────────────────────────────────
const oktaDomain = fc.constantFrom(...OKTA_DOMAINS);
const org = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$/).filter((o) => !o.endsWith('-admin'));
const authServerId = fc.oneof(
  fc.constant('default'),
  fc.stringMatching(/^aus[a-zA-Z0-9]{4,17}$/),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 6 }),
);
const host = fc.oneof(
  fc.tuple(org, oktaDomain).map(([o, d]) => `${o}.${d}`),
  fc.tuple(org, oktaDomain).map(([o, d]) => `${o}-admin.${d}`),
  oktaDomain,
  fc.domain(),
  fc.constantFrom(
    'localhost',
    'app.localhost',
    '127.0.0.1',
    '127.1.2.3',
    '[::1]',
    '10.0.0.1',
    'sso.example.com',
    'bücher.example',
    'xn--bcher-kva.example',
    'acme.okta.com.evil.example',
  ),
);
const pathSegment = fc.oneof(
  fc.constantFrom('', '/', '//', '/oauth2', '/oauth2/v1', '/v1', '/..', '/%2e%2e', '/%2F', '/app/UserHome'),
  authServerId.map((id) => `/oauth2/${id}`),
  fc.constantFrom(WELL_KNOWN, '/.well-known/oauth-authorization-server'),
  fc.constantFrom('/v1/authorize', '/v1/token', '/v1/keys', '/v1/userinfo', '/v1/logout'),
  fc.constantFrom('/admin/app/oidc_client/instance/0oa1b2c3d4EXAMPLE5d7', '/admin/dashboard'),
  fc.webSegment().map((s) => `/${s}`),
);
const path = fc.array(pathSegment, { maxLength: 4 }).map((a) => a.join(''));
const scheme = fc.constantFrom(
  'https://',
  'https://',
  'http://',
  'HTTPS://',
  'hTtP://',
  '',
  'ftp://',
  'javascript:',
);
const port = fc.constantFrom('', '', ':443', ':8443', ':80', ':0', ':99999', ':');
const userinfo = fc.constantFrom('', '', 'user:pw@', 'u@', ':@');
const query = fc.oneof(
  fc.constant(''),
  fc.constant('?'),
  fc.webQueryParameters().map((q) => `?${q}`),
);
const fragment = fc.oneof(
  fc.constant(''),
  fc.constant('#'),
  fc.webFragments().map((f) => `#${f}`),
);
const space = fc.constantFrom('', '', ' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\ufeff');
/** A character a paste may smuggle in: control characters, bidi marks, separators, unicode. */
const oddChar = fc.oneof(
  fc.constantFrom(
    '\u0000',
    '\u0007',
    '\u001b',
    '\u007f',
    '\u0085',
    '\u200b',
    '\u202e',
    '\u2028',
    'é',
    '🙂',
    '%',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

function mixCase(s: string, flips: boolean[]): string {
  return [...s].map((c, i) => (flips[i % Math.max(1, flips.length)] ? c.toUpperCase() : c)).join('');
}

const realisticIssuer = fc
  .record({
    lead: space,
    scheme,
    userinfo,
    host,
    port,
    path,
    query,
    fragment,
    trail: space,
    flips: fc.option(fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), { nil: undefined }),
    odd: fc.option(fc.tuple(oddChar, fc.nat()), { nil: undefined, freq: 4 }),
  })
  .map((p) => {
    let core = `${p.scheme}${p.userinfo}${p.host}${p.port}${p.path}${p.query}${p.fragment}`;
    if (p.flips) core = mixCase(core, p.flips);
    if (p.odd) {
      const at = p.odd[1] % (core.length + 1);
      core = `${core.slice(0, at)}${p.odd[0]}${core.slice(at)}`;
    }
    return `${p.lead}${core}${p.trail}`;
  });

const anyIssuerInput = fc.oneof(
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  { weight: 4, arbitrary: realisticIssuer },
);

// ── the promises ─────────────────────────────────────────────────────────────
/** Every outcome is documented: an ok issuer with the invariants below, or a documented failure. */
function assertDocumented(input: string, o: ParseIssuerOptions, r: ParseIssuerResult): void {
  if (!r.ok) {
    expect(['ISSUER_URL_INVALID', 'ISSUER_ADMIN_DOMAIN']).toContain(r.code);
    expect(CODES).toHaveProperty(r.code);
    expect(typeof r.message).toBe('string');
    expect(r.message.length).toBeGreaterThan(0);
    if (r.suggestion !== undefined) expect(typeof r.suggestion).toBe('string');
    return;
  }
  const v = r.value;
  const u = new URL(v.issuer);
  expect(v.url.href).toBe(u.href);
  const httpOk = o.allowHttpLoopback === true && v.loopback && u.protocol === 'http:';
  expect(u.protocol === 'https:' || httpOk, `${input} -> ${v.issuer}`).toBe(true);
  expect(u.search).toBe('');
  expect(u.hash).toBe('');
  expect(u.username).toBe('');
  expect(u.password).toBe('');
  expect(v.issuer).not.toMatch(/[?#\s]/);
  expect(v.issuer).not.toMatch(CONTROL);
  expect(v.discoveryUrl).toBe(`${v.issuer.replace(/\/$/, '')}${WELL_KNOWN}`);
  expect(v.loopback).toBe(isLoopbackHost(v.host));
  expect(v.port >= 0 && v.port <= 65535).toBe(true);
  if (v.domainKind === 'okta') {
    expect(v.issuer.endsWith('/'), v.issuer).toBe(false);
    expect(v.discoveryUrl).toBe(`${v.issuer}${WELL_KNOWN}`);
    expect(v.kind).not.toBe('generic');
    expect(OKTA_DOMAINS).toContain(v.oktaDomain);
    expect(v.host === v.oktaDomain || v.host.endsWith(`.${v.oktaDomain}`)).toBe(true);
  } else {
    expect(v.oktaDomain).toBeUndefined();
  }
  if (v.kind === 'okta-org') expect(u.pathname).toBe('/');
  if (v.kind === 'okta-custom') {
    expect(v.authServerId).toBeTruthy();
    expect(v.issuer.endsWith(`/oauth2/${v.authServerId}`)).toBe(true);
  }
  for (const n of v.normalizations) expect(typeof n).toBe('string');
  if (v.pathNormalized) expect(v.normalizations.length).toBeGreaterThan(0);
}

/** A normalized issuer parses to itself, with nothing left to normalize. */
function assertFixedPoint(issuer: string, o: ParseIssuerOptions): void {
  const again = parseIssuer(issuer, o);
  expect(again.ok, `${issuer} is not accepted: ${again.ok ? '' : again.message}`).toBe(true);
  if (!again.ok) return;
  expect(again.value.issuer).toBe(issuer);
  expect(again.value.normalizations).toEqual([]);
  expect(again.value.pathNormalized).toBeUndefined();
}

describe('parseIssuer keeps its promises on hostile input', () => {
  it('never throws, and every outcome is a documented result', () => {
    fc.assert(
      fc.property(anyIssuerInput, opts, (input, o) => {
        assertDocumented(input, o, parseIssuer(input, o));
      }),
      { numRuns: 4000 },
    );
  });

  it('is idempotent: a normalized issuer parses to itself with no normalizations', () => {
    fc.assert(
      fc.property(anyIssuerInput, opts, (input, o) => {
        const r = parseIssuer(input, o);
        if (r.ok) assertFixedPoint(r.value.issuer, o);
      }),
      { numRuns: 3000 },
    );
  });

  it('every suggestion is itself an accepted, already-normalized issuer', () => {
    fc.assert(
      fc.property(anyIssuerInput, opts, (input, o) => {
        const r = parseIssuer(input, o);
        if (!r.ok && r.suggestion !== undefined) assertFixedPoint(r.suggestion, o);
      }),
      { numRuns: 3000 },
    );
  });

  it('an admin-console URL, whatever its path, query or fragment, is ISSUER_ADMIN_DOMAIN with the org issuer', () => {
    const consolePath = fc.oneof(
      fc.constantFrom('', '/', '/admin/dashboard', '/admin/app/oidc_client/instance/0oa1b2c3d4EXAMPLE5d7/'),
      fc.webPath(),
      fc.array(pathSegment, { maxLength: 3 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(
        fc.record({
          org,
          domain: oktaDomain,
          scheme: fc.constantFrom('https://', 'http://', 'HTTPS://', ''),
          userinfo,
          port: fc.constantFrom('', ':443'),
          path: consolePath,
          query,
          fragment,
          lead: space,
          trail: space,
          upper: fc.boolean(),
        }),
        opts,
        (p, o) => {
          let core = `${p.scheme}${p.userinfo}${p.org}-admin.${p.domain}${p.port}${p.path}${p.query}${p.fragment}`;
          if (p.upper) core = core.toUpperCase();
          const input = `${p.lead}${core}${p.trail}`;
          // Without a scheme, "user:pw@host" reads as a URL of scheme "user:" and is refused as such.
          fc.pre(!(p.scheme === '' && p.userinfo.includes(':')));
          const r = parseIssuer(input, o);
          if (/\s/.test(input.trim())) {
            // White space inside the value is refused before anything else is read.
            expect(r.ok).toBe(false);
            return;
          }
          expect(r.ok).toBe(false);
          if (r.ok) return;
          expect(r.code, `${JSON.stringify(input)}: ${r.message}`).toBe('ISSUER_ADMIN_DOMAIN');
          const orgIssuer = `https://${p.org}.${p.domain}`;
          // The console page is dropped; only a path that is itself an issuer path (/oauth2/{id}) is kept.
          const suggestion = r.suggestion ?? '';
          const custom = parseIssuer(suggestion);
          expect(custom.ok, suggestion).toBe(true);
          if (custom.ok && custom.value.kind === 'okta-custom') {
            expect(suggestion.startsWith(`${orgIssuer}/oauth2/`)).toBe(true);
          } else {
            expect(suggestion).toBe(orgIssuer);
          }
          if (!/\/oauth2/i.test(p.path)) expect(suggestion).toBe(orgIssuer);
          assertFixedPoint(suggestion, o);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a well-formed Okta issuer pasted as a discovery, endpoint or trailing-slash URL normalizes to itself', () => {
    fc.assert(
      fc.property(
        org,
        oktaDomain,
        fc.option(fc.oneof(fc.constant('default'), fc.stringMatching(/^aus[a-zA-Z0-9]{4,17}$/)), {
          nil: undefined,
        }),
        fc.constantFrom('', '/', '//', WELL_KNOWN, '/v1/authorize', '/v1/token', '/v1/keys'),
        space,
        (o, d, id, tail, ws) => {
          const issuer = `https://${o}.${d}${id === undefined ? '' : `/oauth2/${id}`}`;
          const pasted =
            id === undefined && tail.startsWith('/v1') ? `${issuer}/oauth2${tail}` : `${issuer}${tail}`;
          const r = parseIssuer(`${ws}${pasted}${ws}`);
          expect(r.ok, pasted).toBe(true);
          if (!r.ok) return;
          expect(r.value.issuer).toBe(issuer);
          expect(r.value.discoveryUrl).toBe(`${issuer}${WELL_KNOWN}`);
          expect(r.value.kind).toBe(id === undefined ? 'okta-org' : 'okta-custom');
          // A lone "/" after the host is the URL's own root path, not a normalization.
          expect(r.value.pathNormalized === true).toBe(tail !== '' && !(tail === '/' && id === undefined));
        },
      ),
      { numRuns: 1500 },
    );
  });
});
