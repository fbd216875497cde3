// What the connector commands talk to in the CLI tests: a real OpenID provider over HTTPS, mounted
// like an Okta custom authorization server, trusting one test root, which is also written as a CA
// file for the CLI (CORTEX_SSO_PUBLIC_CA_FILE); and the reference Cortex API on loopback HTTP.
import { type CortexApi, type CortexApiOptions, startCortexApi } from '../../src/sandbox/cortex-api.ts';
import { writeTemp } from './cli.ts';
import { type OidcIssuer, startOidcIssuer, type TestClient } from './oidc-issuer.ts';
import { createTestPki } from './pki.ts';

export interface ConnectorWorld {
  /** Issuer at https://localhost:<port>/oauth2/default. */
  issuer: OidcIssuer;
  api: CortexApi;
  /** The test root as a PEM file. */
  caFile: string;
}

export interface ConnectorWorldOptions {
  /** Where ca.pem is written. */
  caDir: string;
  /** The OpenID provider's clients. */
  clients: TestClient[];
  /** The reference Cortex API's options (keys, list shape, POST mode, seed, ...). */
  api: CortexApiOptions;
}

export async function startConnectorWorld(opts: ConnectorWorldOptions): Promise<ConnectorWorld> {
  const pki = await createTestPki();
  const caFile = writeTemp(opts.caDir, 'ca.pem', pki.root.certPem);
  const issuer = await startOidcIssuer({ tls: pki.leaf, path: '/oauth2/default', clients: opts.clients });
  try {
    const api = await startCortexApi(opts.api);
    return { issuer, api, caFile };
  } catch (err) {
    await issuer.close();
    throw err;
  }
}
