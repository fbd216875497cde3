// Shared setup of the HTTP-level check tests (discovery, jwks, endpoints, clock): a test PKI, the
// HTTP failure fixtures and a real OpenID provider at the org and the /oauth2/default form.
import { afterAll, beforeAll } from 'vitest';
import type { CheckContext, CheckOptions, Target } from '../../src/checks/types.js';
import { closeAll, createDispatcher } from '../../src/net/dispatcher.js';
import { createTrustStore } from '../../src/net/trust.ts';
import { type ParsedIssuer, parseIssuer } from '../../src/okta/issuer.js';
import { type HttpFixtures, startHttpFixtures } from './http-fixtures.ts';
import { type OidcIssuer, startOidcIssuer } from './oidc-issuer.ts';
import { createTestPki, type TestPki } from './pki.ts';

export interface HttpCheckEnv {
  readonly pki: TestPki;
  readonly fx: HttpFixtures;
  readonly org: OidcIssuer;
  readonly custom: OidcIssuer;
  ctx(options?: Partial<CheckOptions>, roots?: string[]): CheckContext;
  parsed(issuer: string, allowHttpLoopback?: boolean): ParsedIssuer;
  target(issuer: string): Target & { issuer: ParsedIssuer };
}

/** Registers beforeAll/afterAll in the calling test file and returns the live fixtures. */
export function useHttpCheckEnv(): HttpCheckEnv {
  let pki: TestPki | undefined;
  let fx: HttpFixtures | undefined;
  let org: OidcIssuer | undefined;
  let custom: OidcIssuer | undefined;
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

  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('http check fixtures are not started (used outside a test?)');
    return v;
  };
  const parsed = (issuer: string, allowHttpLoopback = false): ParsedIssuer => {
    const p = parseIssuer(issuer, { allowHttpLoopback });
    if (!p.ok) throw new Error(`fixture issuer does not parse: ${p.message}`);
    return p.value;
  };
  return {
    get pki() {
      return ready(pki);
    },
    get fx() {
      return ready(fx);
    },
    get org() {
      return ready(org);
    },
    get custom() {
      return ready(custom);
    },
    ctx(options = {}, roots) {
      const anchors = roots ?? [ready(pki).root.certPem];
      const trust = createTrustStore({ env: {}, publicRootsOverride: anchors, includeSystem: false });
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
    },
    parsed,
    target: (issuer) => ({ input: issuer, issuer: parsed(issuer), facts: {} }),
  };
}
