import { describe, expect, it } from 'vitest';
import { parseIssuer } from '../../src/okta/issuer.js';

function ok(input: string, allowHttpLoopback = false) {
  const r = parseIssuer(input, { allowHttpLoopback });
  if (!r.ok) throw new Error(`expected ok for ${input}: ${r.message}`);
  return r.value;
}

function bad(input: string) {
  const r = parseIssuer(input);
  if (r.ok) throw new Error(`expected failure for ${input}`);
  return r;
}

describe('parseIssuer', () => {
  it('keeps a canonical org issuer as is', () => {
    const p = ok('https://acme.okta.com');
    expect(p.issuer).toBe('https://acme.okta.com');
    expect(p.kind).toBe('okta-org');
    expect(p.domainKind).toBe('okta');
    expect(p.oktaDomain).toBe('okta.com');
    expect(p.port).toBe(443);
    expect(p.discoveryUrl).toBe('https://acme.okta.com/.well-known/openid-configuration');
    expect(p.normalizations).toEqual([]);
  });

  it.each([
    ['acme.okta.com', 'https://acme.okta.com', /added https/],
    ['https://acme.okta.com/', 'https://acme.okta.com', null],
    ['  https://acme.okta.com  ', 'https://acme.okta.com', /white space/],
    ['https://acme.okta.com/oauth2/default/', 'https://acme.okta.com/oauth2/default', /trailing slash/],
    [
      'https://acme.okta.com/oauth2/default/.well-known/openid-configuration',
      'https://acme.okta.com/oauth2/default',
      /discovery path/,
    ],
    ['https://acme.okta.com/.well-known/openid-configuration', 'https://acme.okta.com', /discovery path/],
    ['https://acme.okta.com/oauth2/v1/authorize', 'https://acme.okta.com', /org authorization server/],
    [
      'https://acme.okta.com/oauth2/aus1abc/v1/token',
      'https://acme.okta.com/oauth2/aus1abc',
      /endpoint path \/v1\/token/,
    ],
    ['HTTPS://ACME.OKTA-EMEA.COM/oauth2/default', 'https://acme.okta-emea.com/oauth2/default', null],
  ])('normalizes %s to %s and says so', (input, expected, note) => {
    const p = ok(input);
    expect(p.issuer).toBe(expected);
    if (note) expect(p.normalizations.join(' ')).toMatch(note);
  });

  it('tells a custom authorization server and its id', () => {
    const p = ok('https://acme.oktapreview.com/oauth2/default');
    expect(p.kind).toBe('okta-custom');
    expect(p.authServerId).toBe('default');
    expect(p.oktaDomain).toBe('oktapreview.com');
  });

  // The domains okta/okta-commons-java ConfigurationValidator checks (trex-gov.com there,
  // trex-govcloud.com in okta/okta-sdk-dotnet's tests): see docs/okta-fidelity.md.
  const OKTA_FAMILIES = [
    'okta.com',
    'okta-emea.com',
    'oktapreview.com',
    'okta-gov.com',
    'okta.mil',
    'okta-miltest.com',
    'trex-govcloud.com',
    'trex-gov.com',
  ];

  it.each(OKTA_FAMILIES)('knows the Okta domain %s', (d) => {
    expect(ok(`https://acme.${d}`).domainKind).toBe('okta');
  });

  it('treats a custom URL domain as custom, keeping Okta path semantics', () => {
    const p = ok('https://login.acme.example/oauth2/default');
    expect(p.domainKind).toBe('custom');
    expect(p.kind).toBe('okta-custom');
    const g = ok('https://idp.acme.example/realms/main');
    expect(g.kind).toBe('generic');
    expect(g.issuer).toBe('https://idp.acme.example/realms/main');
  });

  it('refuses the admin console host and suggests the org host', () => {
    const r = bad('https://acme-admin.okta.com');
    expect(r.code).toBe('ISSUER_ADMIN_DOMAIN');
    expect(r.suggestion).toBe('https://acme.okta.com');
    expect(bad('https://acme-admin.oktapreview.com/oauth2/default/').suggestion).toBe(
      'https://acme.oktapreview.com/oauth2/default',
    );
  });

  it.each(OKTA_FAMILIES)('refuses the %s admin console, suggesting the org issuer', (d) => {
    const r = bad(`https://dev-123-admin.${d}`);
    expect(r.code).toBe('ISSUER_ADMIN_DOMAIN');
    expect(r.suggestion).toBe(`https://dev-123.${d}`);
    expect(r.message).toBe(`dev-123-admin.${d} is the Okta admin console, not an issuer.`);
  });

  it.each([
    'https://dev-123-admin.okta.com/admin/app/oidc_client/instance/0oa1b2c3d4EXAMPLE5d7#tab-general',
    'https://dev-123-admin.okta.com/admin/apps/active?q=cortex',
    'http://dev-123-admin.okta.com/admin/dashboard',
    'https://user:pw@dev-123-admin.okta.com/admin/getting-started#x',
    'dev-123-admin.okta.com/admin/app/oidc_client/instance/0oa1b2c3d4EXAMPLE5d7/#tab-general',
  ])('an admin console page (%s) is named as such, suggesting the org issuer with no path', (input) => {
    const r = bad(input);
    expect(r.code).toBe('ISSUER_ADMIN_DOMAIN');
    expect(r.suggestion).toBe('https://dev-123.okta.com');
  });

  it('does not take an ordinary host ending in -admin for the console', () => {
    expect(ok('https://idp-admin.example.com').domainKind).toBe('custom');
  });

  it('refuses plain http for a public host, suggesting https', () => {
    const r = bad('http://acme.okta.com');
    expect(r.code).toBe('ISSUER_URL_INVALID');
    expect(r.message).toMatch(/https/);
    expect(r.suggestion).toBe('https://acme.okta.com');
  });

  it('allows plain http only on loopback and only with the flag', () => {
    expect(bad('http://127.0.0.1:8080').message).toMatch(/--allow-http-loopback/);
    expect(ok('http://127.0.0.1:8080', true).issuer).toBe('http://127.0.0.1:8080');
    expect(ok('http://localhost:9000/oauth2/default', true).loopback).toBe(true);
    expect(parseIssuer('http://acme.okta.com', { allowHttpLoopback: true }).ok).toBe(false);
  });

  it('refuses credentials, query and fragment and shows the clean value', () => {
    const cred = bad('https://user:pass@acme.okta.com');
    expect(cred.message).toMatch(/user name or password/);
    expect(cred.suggestion).toBe('https://acme.okta.com');
    expect(JSON.stringify(cred)).not.toContain('pass@');
    expect(bad('https://acme.okta.com/oauth2/default?x=1').suggestion).toBe(
      'https://acme.okta.com/oauth2/default',
    );
    expect(bad('https://acme.okta.com/#frag').message).toMatch(/fragment/);
  });

  it('refuses other schemes, garbage and Okta page URLs', () => {
    expect(bad('ftp://acme.okta.com').code).toBe('ISSUER_URL_INVALID');
    expect(bad('').message).toMatch(/empty/);
    expect(bad('https://acme okta.com').message).toMatch(/white space/);
    expect(bad('https://').code).toBe('ISSUER_URL_INVALID');
    const page = bad('https://acme.okta.com/app/UserHome');
    expect(page.suggestion).toBe('https://acme.okta.com');
  });

  it('keeps explicit ports and IPv6 literals', () => {
    const p = ok('https://[::1]:8443/oauth2/default');
    expect(p.host).toBe('::1');
    expect(p.port).toBe(8443);
    expect(p.loopback).toBe(true);
    expect(ok('localhost:8443').issuer).toBe('https://localhost:8443');
  });

  // Counterexamples found by test/property/issuer.property.test.ts: every suggestion must itself be
  // accepted, already normalized, and a normalized issuer must parse to itself.
  it.each([
    // http's port 443 is https's default: it is not carried into the https suggestion.
    ['http://acme.okta.com:443', 'https://acme.okta.com'],
    ['http://acme-admin.okta.com:443/admin/dashboard', 'https://acme.okta.com'],
    // Another scheme on the admin console is still the admin console.
    ['ftp://acme-admin.okta.com', 'https://acme.okta.com'],
    // A case-changed Okta path falls back to the org issuer, not to a path parseIssuer refuses.
    ['HTTPS://ACME.OKTA.COM/OAUTH2/DEFAULT?x=1', 'https://acme.okta.com'],
    // Suggestions are normalized the way an accepted value would be.
    [
      'https://user:pw@acme.okta.com/oauth2/default/.well-known/openid-configuration',
      'https://acme.okta.com/oauth2/default',
    ],
    ['http://acme.okta.com/oauth2/default/v1/token', 'https://acme.okta.com/oauth2/default'],
  ])('suggests an accepted, normalized issuer for %s', (input, suggestion) => {
    expect(bad(input).suggestion).toBe(suggestion);
    const again = ok(suggestion);
    expect(again.issuer).toBe(suggestion);
    expect(again.normalizations).toEqual([]);
  });

  it('reads a bare host with a port followed by a query as a host, not as a scheme', () => {
    const r = bad('acme-admin.okta.com:443?x');
    expect(r.code).toBe('ISSUER_ADMIN_DOMAIN');
    expect(r.suggestion).toBe('https://acme.okta.com');
  });

  it('strips a discovery path pasted twice, so the result parses to itself', () => {
    const p = ok('https://idp.example.com/.well-known/openid-configuration/.well-known/openid-configuration');
    expect(p.issuer).toBe('https://idp.example.com');
    expect(ok(p.issuer).normalizations).toEqual([]);
  });
});

describe('issuer-url check', async () => {
  const { runIssuerUrl } = await import('../../src/checks/issuer-url.js');
  const ctx = {
    options: { timeoutMs: 1000, warnDays: 30, strict: false, allowHttpLoopback: false },
    net: {} as never,
    now: () => new Date(),
  };
  it('passes a clean issuer and records it on the target', () => {
    const target = { input: 'acme.okta.com', facts: {} } as Parameters<typeof runIssuerUrl>[0];
    const o = runIssuerUrl(target, ctx);
    expect(o.status).toBe('pass');
    expect(target.issuer?.issuer).toBe('https://acme.okta.com');
    expect(o.title).toMatch(/org authorization server/);
  });
  it('warns ISSUER_NORMALIZED when the path as typed would break sign-in', () => {
    const o = runIssuerUrl({ input: 'https://acme.okta.com/oauth2/default/', facts: {} }, ctx);
    expect(o).toMatchObject({ status: 'warn', code: 'ISSUER_NORMALIZED' });
    expect(o.advice).toContain('https://acme.okta.com/oauth2/default');
  });
  it('fails with the likely right value for the admin console', () => {
    const o = runIssuerUrl({ input: 'https://acme-admin.okta.com', facts: {} }, ctx);
    expect(o).toMatchObject({
      status: 'fail',
      code: 'ISSUER_ADMIN_DOMAIN',
      advice: 'Use https://acme.okta.com',
    });
  });
});

describe('parseIssuer outside Okta', () => {
  it('keeps a trailing slash that may be part of a non-Okta issuer (Auth0 style)', () => {
    const p = ok('https://tenant.auth0.com/');
    expect(p.issuer).toBe('https://tenant.auth0.com/');
    expect(p.discoveryUrl).toBe('https://tenant.auth0.com/.well-known/openid-configuration');
    expect(p.pathNormalized).toBeUndefined();
    expect(ok('https://idp.example/realms/main/').issuer).toBe('https://idp.example/realms/main/');
    expect(ok('https://idp.example/realms/main/.well-known/openid-configuration').issuer).toBe(
      'https://idp.example/realms/main',
    );
  });
  it('still strips it on Okta paths of a custom domain', () => {
    expect(ok('https://login.acme.example/oauth2/default/').issuer).toBe(
      'https://login.acme.example/oauth2/default',
    );
  });
});
