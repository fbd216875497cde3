// A real OpenID provider (oidc-provider) served over HTTPS on loopback: the Okta stand-in for
// tests and the demo. Imported by plain `node` (scripts/demo.ts): erasable TypeScript only.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { stripVTControlCharacters } from 'node:util';
import Provider from 'oidc-provider';
import type { TestLeaf } from './pki.ts';

/** What Okta answers outside an authorization server's paths (test/fixtures/okta/SOURCES.md). */
const OKTA_NOT_FOUND = JSON.stringify(
  JSON.parse(readFileSync(new URL('../fixtures/okta/not-found-E0000022.json', import.meta.url), 'utf8')),
);

export interface TestClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** Default: authorization_code + client_credentials. */
  grantTypes?: string[];
}

export interface OidcIssuer {
  /** e.g. https://localhost:43123 or https://localhost:43123/oauth2/default */
  issuer: string;
  port: number;
  close(): Promise<void>;
}

export interface OidcIssuerOptions {
  tls: TestLeaf;
  clients: TestClient[];
  /** Mount under a path, like an Okta custom authorization server: '/oauth2/default'. */
  path?: string;
  /** Host name used in the issuer URL. Default localhost. */
  host?: string;
  port?: number;
}

// oidc-provider announces its development defaults on the console; a test fixture wants them quiet.
let quieted = false;
function quietProviderNotices(): void {
  if (quieted) return;
  quieted = true;
  for (const level of ['warn', 'info', 'log'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && stripVTControlCharacters(args[0]).startsWith('oidc-provider '))
        return;
      original(...args);
    };
  }
}

export async function startOidcIssuer(opts: OidcIssuerOptions): Promise<OidcIssuer> {
  quietProviderNotices();
  const prefix = (opts.path ?? '').replace(/\/$/, '');
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = https.createServer({ key: opts.tls.keyPem, cert: opts.tls.chainPem }, (req, res) => {
    if (!handler) {
      res.statusCode = 503;
      res.end();
      return;
    }
    const url = req.url ?? '/';
    if (prefix) {
      if (url !== prefix && !url.startsWith(`${prefix}/`) && !url.startsWith(`${prefix}?`)) {
        res.statusCode = 404;
        res.setHeader('content-type', 'application/json');
        res.end(OKTA_NOT_FOUND);
        return;
      }
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
      req.url = url.slice(prefix.length) || '/';
    }
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `https://${opts.host ?? 'localhost'}:${port}${prefix}`;
  const provider = new Provider(issuer, {
    clients: opts.clients.map((c) => {
      const grantTypes = c.grantTypes ?? ['authorization_code', 'client_credentials'];
      return {
        client_id: c.clientId,
        client_secret: c.clientSecret,
        redirect_uris: c.redirectUris,
        grant_types: grantTypes,
        // oidc-provider refuses response_type=code for a client without the authorization_code grant.
        response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
        token_endpoint_auth_method: 'client_secret_basic',
      };
    }),
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: true },
    },
    ttl: {
      ClientCredentials: 600,
      Interaction: 600,
      Session: 600,
      Grant: 600,
      AccessToken: 600,
      IdToken: 600,
      AuthorizationCode: 60,
    },
    async renderError(ctx, out) {
      // Like Okta: an HTML error page that names the OAuth error and what to fix.
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html><head><title>Error</title></head><body><h1>${out.error}</h1><p>${out.error_description ?? ''}</p></body></html>`;
    },
  });
  provider.proxy = false;
  // oidc-provider logs warnings for dev interactions; keep the test output clean.
  provider.on('server_error', () => {});
  handler = provider.callback();
  return {
    issuer,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
