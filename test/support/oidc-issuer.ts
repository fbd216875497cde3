// The tests' Okta stand-in: the sandbox's issuer (src/sandbox/issuer.ts), a real OpenID provider
// (oidc-provider) over HTTPS on loopback. One configuration for both, so what the tests prove is
// what `cortex-sso sandbox` serves. The tests' clients also get the client_credentials grant by
// default, which older secret probes used and some tests still exercise.
import { type Issuer, type IssuerClient, startIssuer } from '../../src/sandbox/issuer.ts';
import type { TestLeaf } from './pki.ts';

export type TestClient = IssuerClient;
export type OidcIssuer = Issuer;

export interface OidcIssuerOptions {
  tls: TestLeaf;
  /** grantTypes default to authorization_code + client_credentials. */
  clients: TestClient[];
  /** Mount under a path, like an Okta custom authorization server: '/oauth2/default'. */
  path?: string;
  /** Host name used in the issuer URL. Default localhost. */
  host?: string;
  port?: number;
}

export function startOidcIssuer(opts: OidcIssuerOptions): Promise<OidcIssuer> {
  return startIssuer({
    ...opts,
    clients: opts.clients.map((c) => ({
      ...c,
      grantTypes: c.grantTypes ?? ['authorization_code', 'client_credentials'],
    })),
    clientCredentials: true,
  });
}
