import { describe, expect, it } from 'vitest';
import { check as discovery } from '../../src/checks/discovery.js';
import { check, keyProblems } from '../../src/checks/jwks.js';
import { useHttpCheckEnv } from '../support/http-check-env.ts';
import type { FixtureCase } from '../support/http-fixtures.ts';

const h = useHttpCheckEnv();
const { ctx, target } = h;

/** Run discovery (which must pass) then jwks, as the runner would. */
async function jwksFor(issuer: string) {
  const t = target(issuer);
  const c = ctx();
  const d = await discovery.run(t, c);
  expect(d.status).toBe('pass');
  return { t, outcome: await check.run(t, c) };
}
const caseIssuer = (c: FixtureCase) => h.fx.issuer(c);

describe('jwks: healthy issuers', () => {
  it('passes for the real provider at the org form with at least one key', async () => {
    const { outcome } = await jwksFor(h.org.issuer);
    expect(outcome.status).toBe('pass');
    expect(outcome.data?.keyCount).toBeGreaterThanOrEqual(1);
    expect((outcome.data?.kids as string[] | undefined)?.length).toBe(outcome.data?.keyCount);
  });

  it('passes for the real provider at /oauth2/default', async () => {
    const { outcome } = await jwksFor(h.custom.issuer);
    expect(outcome.status).toBe('pass');
    expect(outcome.data?.keyCount).toBeGreaterThanOrEqual(1);
  });

  it('reads keys from another host (jwks_uri on a second host:port)', async () => {
    const { outcome } = await jwksFor(caseIssuer('split-ok'));
    expect(outcome).toMatchObject({
      status: 'pass',
      data: { keyCount: 1, kids: ['fixture-key-1'], algs: ['ES256'] },
    });
    expect(outcome.data?.url).toBe(`${h.fx.secondOrigin}/keys`);
  });
});

describe('jwks: failures', () => {
  it('an empty key set -> JWKS_EMPTY', async () => {
    const { outcome } = await jwksFor(caseIssuer('jwks-empty'));
    expect(outcome).toMatchObject({ status: 'fail', code: 'JWKS_EMPTY', data: { keyCount: 0 } });
    expect(outcome.detail).toContain('/cases/jwks-empty/v1/keys');
  });

  it('malformed keys -> JWKS_INVALID naming each key and what is wrong', async () => {
    const { outcome } = await jwksFor(caseIssuer('jwks-malformed'));
    expect(outcome).toMatchObject({ status: 'fail', code: 'JWKS_INVALID' });
    expect(outcome.detail).toContain('key 0 (kid rsa-no-modulus) lacks n, e for kty RSA');
    expect(outcome.detail).toContain('key 1 (kid no-kty) has no kty');
    expect(outcome.detail).toContain('key 2 (kid bad-alg) has invalid alg "HS999"');
    expect(outcome.title).toContain('3 problems');
  });

  it('a 404 -> JWKS_HTTP_ERROR with the status', async () => {
    const { outcome } = await jwksFor(caseIssuer('jwks-not-found'));
    expect(outcome).toMatchObject({ status: 'fail', code: 'JWKS_HTTP_ERROR' });
    expect(outcome.detail).toContain('HTTP 404');
  });

  it('jwks_uri on a closed host -> JWKS_HTTP_ERROR saying why', async () => {
    const t = target(caseIssuer('split-closed'));
    const c = ctx();
    expect((await discovery.run(t, c)).status).toBe('pass');
    const outcome = await check.run(t, c);
    expect(outcome).toMatchObject({ status: 'fail', code: 'JWKS_HTTP_ERROR' });
    expect(outcome.detail).toContain(`https://127.0.0.1:${h.fx.closedPort}/oauth2/v1/keys`);
    expect(outcome.detail).toContain('refused');
  });
});

describe('keyProblems', () => {
  const ec = { kty: 'EC', kid: 'k1', crv: 'P-256', x: 'AAAA', y: 'BBBB' };
  it('accepts a well-formed public key', () => {
    expect(keyProblems({ ...ec, alg: 'ES256', use: 'sig' })).toEqual([]);
  });
  it('flags published private material, bad use, mismatched alg, symmetric keys', () => {
    expect(keyProblems({ ...ec, d: 'secret' })).toEqual(['publishes private key material (d)']);
    expect(keyProblems({ ...ec, use: 'signing' })).toEqual(['has invalid use "signing"']);
    expect(keyProblems({ ...ec, use: 'sig', alg: 'RSA-OAEP' })).toEqual([
      'has use "sig" but encryption alg "RSA-OAEP"',
    ]);
    expect(keyProblems({ kty: 'oct', kid: 'h', k: 'c2VjcmV0' })[0]).toContain('symmetric');
    expect(keyProblems('nope')).toEqual(['is not a JSON object']);
  });
  // Found by test/property/discovery-jwks.property.test.ts: the kty lookup reached Object.prototype
  // and threw "filter is not a function" on a hostile key set.
  it.each(['__proto__', 'constructor', 'toString'])(
    'names a kty of "%s" as unknown instead of throwing',
    (kty) => {
      expect(keyProblems({ kty, kid: 'k1' })).toEqual([`has unknown kty "${kty}"`]);
      expect(keyProblems(JSON.parse(`{"kty":"${kty}","kid":"k1"}`))).toEqual([`has unknown kty "${kty}"`]);
    },
  );
});
