import { describe, expect, it } from 'vitest';
import { check, judgeDocument } from '../../src/checks/discovery.js';
import type { CheckOptions } from '../../src/checks/types.js';
import { useHttpCheckEnv } from '../support/http-check-env.ts';
import type { FixtureCase } from '../support/http-fixtures.ts';
import { startOktaLike } from '../support/okta-like.ts';
import { createTestPki } from '../support/pki.ts';

const h = useHttpCheckEnv();
const { ctx, target, parsed } = h;

async function runCase(c: FixtureCase, options: Partial<CheckOptions> = {}) {
  const t = target(h.fx.issuer(c));
  const outcome = await check.run(t, ctx(options));
  return { t, outcome };
}

describe('discovery: healthy issuers', () => {
  it('passes for the real provider at the org form and saves the document and Date', async () => {
    const t = target(h.org.issuer);
    const outcome = await check.run(t, ctx());
    expect(outcome.status).toBe('pass');
    expect(outcome.code).toBeUndefined();
    expect(t.facts.discovery?.issuer).toBe(h.org.issuer);
    expect(t.facts.discovery?.jwks_uri).toMatch(/^https:\/\/localhost:\d+\//);
    expect(Number.isNaN(Date.parse(t.facts.serverDate ?? ''))).toBe(false);
  });

  it('passes for the real provider at /oauth2/default', async () => {
    const t = target(h.custom.issuer);
    const outcome = await check.run(t, ctx());
    expect(outcome.status).toBe('pass');
    expect(t.facts.discovery?.issuer).toBe(h.custom.issuer);
    expect(outcome.detail).toContain(h.custom.issuer);
  });

  it('does not judge grant types (Okta lists no client_credentials)', async () => {
    const { t, outcome } = await runCase('healthy');
    expect(t.facts.discovery?.grant_types_supported).not.toContain('client_credentials');
    expect(outcome.status).toBe('pass');
  });
});

describe('discovery: failures', () => {
  it('404 -> DISCOVERY_HTTP_ERROR with the status and the server message', async () => {
    const { outcome } = await runCase('not-found');
    expect(outcome).toMatchObject({ status: 'fail', code: 'DISCOVERY_HTTP_ERROR' });
    expect(outcome.detail).toContain('HTTP 404');
    expect(outcome.detail).toContain('Resource not found');
    expect(outcome.advice).toContain('/oauth2/');
  });

  it('500 -> DISCOVERY_HTTP_ERROR with the status', async () => {
    const { outcome } = await runCase('server-error');
    expect(outcome).toMatchObject({ status: 'fail', code: 'DISCOVERY_HTTP_ERROR' });
    expect(outcome.detail).toContain('HTTP 500');
  });

  it('an HTML proxy page -> DISCOVERY_NOT_JSON with a snippet', async () => {
    const { t, outcome } = await runCase('html');
    expect(outcome).toMatchObject({ status: 'fail', code: 'DISCOVERY_NOT_JSON' });
    expect(outcome.detail).toContain('text/html');
    expect(outcome.detail).toContain('Web Proxy: Access Denied');
    expect(t.facts.discovery).toBeUndefined();
  });

  it('JSON served as text/plain -> DISCOVERY_NOT_JSON naming the content type', async () => {
    const { outcome } = await runCase('wrong-content-type');
    expect(outcome).toMatchObject({ status: 'fail', code: 'DISCOVERY_NOT_JSON' });
    expect(outcome.detail).toContain('text/plain');
  });

  it('an endless body stops at 1 MiB -> DISCOVERY_TOO_LARGE', async () => {
    const { outcome } = await runCase('endless', { timeoutMs: 10_000 });
    expect(outcome).toMatchObject({ status: 'fail', code: 'DISCOVERY_TOO_LARGE' });
    expect(outcome.detail).toContain('1 MiB');
    expect(await h.fx.endlessClosed()).toBeLessThan(64 * 1024 * 1024);
  });

  it('a trailing slash in the document -> DISCOVERY_ISSUER_MISMATCH saying the exact value to configure', async () => {
    const issuer = h.fx.issuer('issuer-slash');
    const { outcome } = await runCase('issuer-slash');
    expect(outcome).toMatchObject({ status: 'fail', code: 'DISCOVERY_ISSUER_MISMATCH' });
    expect(outcome.detail).toContain(`"${issuer}/"`);
    expect(outcome.detail).toContain(`"${issuer}"`);
    expect(outcome.detail).toContain('trailing slash');
    expect(outcome.advice).toContain(`exactly ${issuer}/ `);
    expect(outcome.advice).toContain('including the trailing slash');
  });

  it('missing fields -> DISCOVERY_MISSING_FIELD naming each', async () => {
    const { outcome } = await runCase('missing-fields');
    expect(outcome).toMatchObject({ status: 'fail', code: 'DISCOVERY_MISSING_FIELD' });
    expect(outcome.detail).toContain('token_endpoint is missing');
    expect(outcome.detail).toContain('jwks_uri is missing');
    expect(outcome.detail).toContain('response_types_supported does not include "code"');
    expect(outcome.detail).not.toContain('authorization_endpoint');
  });

  it('a plain http endpoint -> DISCOVERY_INSECURE_ENDPOINT naming it', async () => {
    const { outcome } = await runCase('http-endpoints');
    expect(outcome).toMatchObject({ status: 'fail', code: 'DISCOVERY_INSECURE_ENDPOINT' });
    expect(outcome.detail).toContain(`token_endpoint = http://localhost:${h.fx.port}/`);
    expect(outcome.detail).not.toContain('authorization_endpoint');
  });

  it('a redirect is reported with its Location and the issuer it implies, not followed', async () => {
    const { t, outcome } = await runCase('redirect');
    expect(outcome).toMatchObject({ status: 'fail', code: 'DISCOVERY_REDIRECT' });
    const location = `${h.fx.issuer('healthy')}/.well-known/openid-configuration`;
    expect(outcome.detail).toContain('HTTP 301');
    expect(outcome.detail).toContain(location);
    expect(outcome.data).toMatchObject({ location, impliedIssuer: h.fx.issuer('healthy') });
    expect(outcome.advice).toContain(`exactly ${h.fx.issuer('healthy')};`);
    expect(t.facts.discovery).toBeUndefined();
  });

  it('a server that never answers -> DISCOVERY_TIMEOUT', async () => {
    const { outcome } = await runCase('stall-headers', { timeoutMs: 300 });
    expect(outcome).toMatchObject({ status: 'fail', code: 'DISCOVERY_TIMEOUT' });
    expect(outcome.detail).toContain('300 ms');
  });

  it('a closed port -> the network code from mapNetError', async () => {
    const t = target(`https://127.0.0.1:${h.fx.closedPort}/oauth2/default`);
    const outcome = await check.run(t, ctx());
    expect(outcome).toMatchObject({ status: 'fail', code: 'TCP_REFUSED' });
    expect(outcome.detail).toContain('refused');
  });

  it('an untrusted chain -> a certificate code from mapNetError', async () => {
    const other = await createTestPki('Unrelated Root');
    const t = target(h.org.issuer);
    const outcome = await check.run(t, ctx({}, [other.root.certPem]));
    expect(outcome).toMatchObject({ status: 'fail', code: 'CERT_UNTRUSTED_ROOT' });
  });
});

describe('judgeDocument: plain http', () => {
  const doc = (base: string) => ({
    issuer: base,
    authorization_endpoint: `${base}/auth`,
    token_endpoint: `${base}/token`,
    jwks_uri: `${base}/jwks`,
    response_types_supported: ['code'],
    id_token_signing_alg_values_supported: ['RS256'],
  });

  it('allows http endpoints only for a loopback http issuer with allowHttpLoopback', () => {
    const issuer = parsed('http://127.0.0.1:8080', true);
    expect(judgeDocument(doc('http://127.0.0.1:8080'), issuer, true)).toEqual([]);
    const without = judgeDocument(doc('http://127.0.0.1:8080'), issuer, false);
    expect(without.map((p) => p.code)).toEqual(['DISCOVERY_INSECURE_ENDPOINT']);
    expect(without[0]?.detail).toContain('authorization_endpoint = http://127.0.0.1:8080/auth');
  });

  it('never allows http endpoints on another host, nor for an https issuer', () => {
    const loop = parsed('http://127.0.0.1:8080', true);
    const d = { ...doc('http://127.0.0.1:8080'), token_endpoint: 'http://evil.example/token' };
    expect(judgeDocument(d, loop, true)[0]?.detail).toBe('token_endpoint = http://evil.example/token');
    const secure = parsed('https://127.0.0.1:8443');
    const d2 = { ...doc('https://127.0.0.1:8443'), token_endpoint: 'http://127.0.0.1:8443/token' };
    expect(judgeDocument(d2, secure, true).map((p) => p.code)).toEqual(['DISCOVERY_INSECURE_ENDPOINT']);
  });
});

describe("discovery: Okta's answer for an org without API Access Management", () => {
  it('401 E0000015 on /oauth2/default -> OKTA_API_AM_REQUIRED, naming the exact org issuer', async () => {
    const okta = await startOktaLike({ tls: h.pki.leaf, clients: [], apiAccessManagement: false });
    try {
      const outcome = await check.run(target(`${okta.issuer}/`), ctx());
      expect(outcome).toMatchObject({ status: 'fail', code: 'OKTA_API_AM_REQUIRED' });
      expect(outcome.detail).toContain(
        'HTTP 401 E0000015 (You do not have permission to access the feature you are requesting)',
      );
      expect(outcome.advice).toContain(
        `Set the issuer to exactly ${okta.orgIssuer} (the org authorization server`,
      );
      expect(outcome.advice).toContain('API Access Management');
      // The org authorization server of the same org answers.
      expect((await check.run(target(okta.orgIssuer), ctx())).status).toBe('pass');
    } finally {
      await okta.close();
    }
  });
});
