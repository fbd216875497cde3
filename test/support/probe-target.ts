// Shared by the credentials and redirect-uri probe tests: the two issuers they ask (a real OpenID
// provider and the Okta-like server, over HTTPS with a test root), the discovery documents as the
// runner would have saved them, a target carrying one, and a CheckContext trusting the test root.
import { Agent } from 'undici';
import type { CheckContext, CheckOptions, DiscoveryDocument, Target } from '../../src/checks/types.js';
import type { HttpTransport } from '../../src/net/dispatcher.js';
import { httpGet } from '../../src/net/http.js';
import { createTrustStore } from '../../src/net/trust.ts';
import { parseIssuer } from '../../src/okta/issuer.js';
import { type OidcIssuer, startOidcIssuer, type TestClient } from './oidc-issuer.ts';
import { type OktaLike, type OktaLikeClient, startOktaLike } from './okta-like.ts';
import { createTestPki, type TestPki } from './pki.ts';

export async function fetchDiscovery(issuer: string, dispatcher: HttpTransport): Promise<DiscoveryDocument> {
  const res = await httpGet(`${issuer}/.well-known/openid-configuration`, {
    dispatcher,
    timeoutMs: 5000,
    maxBytes: 1 << 20,
  });
  if (res.status !== 200) throw new Error(`discovery of ${issuer} answered ${res.status}`);
  return JSON.parse(res.body.toString('utf8')) as DiscoveryDocument;
}

export function probeTarget(
  issuer: string,
  discovery: DiscoveryDocument,
): Target & { issuer: NonNullable<Target['issuer']> } {
  const parsed = parseIssuer(issuer, { allowHttpLoopback: true });
  if (!parsed.ok) throw new Error(parsed.message);
  return { input: issuer, issuer: parsed.value, facts: { discovery, proxy: null } };
}

export interface ProbeIssuers {
  pki: TestPki;
  /** oidc-provider at /oauth2/default. */
  oidc: OidcIssuer;
  okta: OktaLike;
  oidcDiscovery: DiscoveryDocument;
  oktaDiscovery: DiscoveryDocument;
  /** A context whose requests trust the test root (5 s timeout, no proxy); `options` adds client id, secret... */
  ctx(options: Partial<CheckOptions>, now?: () => Date): CheckContext;
  close(): Promise<void>;
}

export async function startProbeIssuers(clients: {
  oidc: TestClient[];
  okta: OktaLikeClient[];
}): Promise<ProbeIssuers> {
  const pki = await createTestPki();
  const agent = new Agent({ connect: { ca: pki.root.certPem } });
  const started: Array<{ close(): Promise<void> }> = [];
  const close = async () => {
    for (const s of started.reverse()) await s.close();
    await agent.close();
  };
  try {
    const oidc = await startOidcIssuer({ tls: pki.leaf, path: '/oauth2/default', clients: clients.oidc });
    started.push(oidc);
    const okta = await startOktaLike({ tls: pki.leaf, clients: clients.okta });
    started.push(okta);
    return {
      pki,
      oidc,
      okta,
      oidcDiscovery: await fetchDiscovery(oidc.issuer, agent),
      oktaDiscovery: await fetchDiscovery(okta.issuer, agent),
      ctx: (options, now = () => new Date()) => ({
        options: { timeoutMs: 5000, warnDays: 30, strict: false, allowHttpLoopback: false, ...options },
        net: {
          trust: createTrustStore({ env: {}, publicRootsOverride: [pki.root.certPem], includeSystem: false }),
          resolver: { lookup: async () => [{ address: '127.0.0.1', family: 4 }] },
          env: {},
          dispatcher: () => agent,
        },
        now,
      }),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
