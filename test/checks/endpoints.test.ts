import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check as discovery } from '../../src/checks/discovery.js';
import { check } from '../../src/checks/endpoints.js';
import type { CheckContext, CheckOptions, Target } from '../../src/checks/types.js';
import { closeAll, createDispatcher } from '../../src/net/dispatcher.js';
import { type ParsedIssuer, parseIssuer } from '../../src/okta/issuer.js';
import { type HttpFixtures, startHttpFixtures } from '../support/http-fixtures.ts';
import { type OidcIssuer, startOidcIssuer } from '../support/oidc-issuer.ts';
import { createTestPki, type TestPki } from '../support/pki.ts';

let pki: TestPki;
let fx: HttpFixtures;
let org: OidcIssuer;
let custom: OidcIssuer;

const clients = [
  { clientId: 'cortex', clientSecret: 'fixture-secret-1234', redirectUris: ['https://app.example/cb'] },
];

beforeAll(async () => {
  pki = await createTestPki();
  [fx, org, custom] = await Promise.all([
    startHttpFixtures({ tls: pki.leaf }),
    startOidcIssuer({ tls: pki.leaf, clients }),
    startOidcIssuer({ tls: pki.leaf, clients, path: '/oauth2/default' }),
  ]);
});
afterAll(async () => {
  await closeAll();
  await Promise.all([fx?.close(), org?.close(), custom?.close()]);
});

function ctx(options: Partial<CheckOptions> = {}, roots?: string[]): CheckContext {
  const anchors = roots ?? [pki.root.certPem];
  const trust = { publicRoots: anchors, extraRoots: [], all: () => [...anchors] };
  return {
    options: { timeoutMs: 3000, warnDays: 30, strict: false, allowHttpLoopback: false, ...options },
    net: {
      trust,
      resolver: { lookup: async () => [] },
      env: {},
      dispatcher: (proxy) => createDispatcher({ ca: trust.all(), proxy, connectTimeoutMs: 3000 }),
    },
    now: () => new Date(),
  };
}

function parsed(issuer: string, allowHttpLoopback = false): ParsedIssuer {
  const p = parseIssuer(issuer, { allowHttpLoopback });
  if (!p.ok) throw new Error(`fixture issuer does not parse: ${p.message}`);
  return p.value;
}

function target(issuer: string): Target & { issuer: ParsedIssuer } {
  return { input: issuer, issuer: parsed(issuer), facts: {} };
}

async function endpointsFor(issuer: string, c = ctx()) {
  const t = target(issuer);
  expect((await discovery.run(t, c)).status).toBe('pass');
  return check.run(t, c);
}

describe('endpoints', () => {
  it('passes for the real provider: all endpoints on the issuer host', async () => {
    for (const issuer of [org.issuer, custom.issuer]) {
      const outcome = await endpointsFor(issuer);
      expect(outcome.status).toBe('pass');
      expect(outcome.detail).toContain(`all endpoints on the issuer host localhost:${new URL(issuer).port}`);
    }
  });

  it('passes listing every host when the JWKS sits on a second, healthy host', async () => {
    const outcome = await endpointsFor(fx.issuer('split-ok'));
    const second = new URL(fx.secondOrigin);
    expect(outcome.status).toBe('pass');
    expect(outcome.detail).toContain(`localhost:${fx.port} (issuer)`);
    expect(outcome.detail).toContain(`127.0.0.1:${second.port} (jwks_uri)`);
  });

  it('a token endpoint host that is closed -> ENDPOINT_UNREACHABLE naming it and why', async () => {
    const outcome = await endpointsFor(fx.issuer('split-closed'));
    const host = `127.0.0.1:${fx.closedPort}`;
    expect(outcome).toMatchObject({ status: 'fail', code: 'ENDPOINT_UNREACHABLE' });
    expect(outcome.title).toContain(host);
    expect(outcome.detail).toContain(`${host} (token_endpoint, jwks_uri): TCP_REFUSED`);
    expect(outcome.advice).toContain(host);
  });

  it('a second host whose chain is not trusted -> ENDPOINT_UNREACHABLE with the certificate reason', async () => {
    // Discovery runs with the fixture root; the endpoint probe trusts a root that does not sign the second host.
    const t = target(fx.issuer('split-ok'));
    expect((await discovery.run(t, ctx())).status).toBe('pass');
    const other = await createTestPki('Unrelated Root');
    const outcome = await check.run(t, ctx({}, [other.root.certPem]));
    expect(outcome).toMatchObject({ status: 'fail', code: 'ENDPOINT_UNREACHABLE' });
    expect(outcome.detail).toContain('CERT_UNTRUSTED_ROOT');
  });
});
