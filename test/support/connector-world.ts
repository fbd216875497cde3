// What the connector commands talk to in the CLI tests: a real OpenID provider over HTTPS, mounted
// like an Okta custom authorization server, and the reference Cortex API, both trusting one test
// root, which is also written as a CA file for the CLI (CORTEX_SSO_PUBLIC_CA_FILE).
import { type ApiServer, type ApiServerOptions, startApiServer } from '../../src/cortex/server.ts';
import { writeTemp } from './cli.ts';
import { type OidcIssuer, startOidcIssuer, type TestClient } from './oidc-issuer.ts';
import { createTestPki } from './pki.ts';

export interface ConnectorWorld {
  /** Issuer at https://localhost:<port>/oauth2/default. */
  issuer: OidcIssuer;
  api: ApiServer;
  /** The test root as a PEM file. */
  caFile: string;
}

export interface ConnectorWorldOptions {
  /** Where ca.pem is written. */
  caDir: string;
  /** The OpenID provider's clients. */
  clients: TestClient[];
  /** The API server's options; it trusts the test root for /validate. */
  api: Omit<ApiServerOptions, 'ca'>;
}

export async function startConnectorWorld(opts: ConnectorWorldOptions): Promise<ConnectorWorld> {
  const pki = await createTestPki();
  const caFile = writeTemp(opts.caDir, 'ca.pem', pki.root.certPem);
  const issuer = await startOidcIssuer({ tls: pki.leaf, path: '/oauth2/default', clients: opts.clients });
  try {
    const api = await startApiServer({ ...opts.api, ca: [pki.root.certPem] });
    return { issuer, api, caFile };
  } catch (err) {
    await issuer.close();
    throw err;
  }
}
