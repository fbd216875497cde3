/**
 * The sandbox's Okta-like issuer: a real OpenID provider (oidc-provider) over HTTPS on loopback,
 * shaped like an Okta org authorization server (`https://localhost:<port>`), with confidential
 * clients that authenticate with client_secret_basic. Development sign-in pages are on, so the
 * whole flow can be tried by hand in a browser. Loaded only by `cortex-sso sandbox`; the tests'
 * Okta stand-in (test/support/oidc-issuer.ts) is this same issuer.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { stripVTControlCharacters } from 'node:util';
import Provider from 'oidc-provider';

export interface IssuerClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** Default: authorization_code only, like Cortex's web app in Okta. */
  grantTypes?: string[];
}

export interface IssuerOptions {
  tls: { keyPem: string; chainPem: string };
  clients: IssuerClient[];
  /** Mount under a path, like an Okta custom authorization server: '/oauth2/default'. Default: none (org server). */
  path?: string;
  /** Host name in the issuer URL (default localhost); the server binds 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /**
   * Also offer the client_credentials grant (to clients that list it). Off in the sandbox, as on an
   * Okta org authorization server; the tests of older secret probes turn it on.
   */
  clientCredentials?: boolean;
}

export interface Issuer {
  /** e.g. https://localhost:43123 or https://localhost:43123/oauth2/default */
  issuer: string;
  port: number;
  close(): Promise<void>;
}

// oidc-provider announces its development defaults on the console (stdout included): keep a --json
// document on stdout clean.
let quieted = false;
function quietProviderNotices(): void {
  if (quieted) return;
  quieted = true;
  for (const level of ['warn', 'info', 'log'] as const) {
    // biome-ignore lint/suspicious/noConsole: wraps the console oidc-provider writes to, to filter it
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && stripVTControlCharacters(args[0]).startsWith('oidc-provider '))
        return;
      original(...args);
    };
  }
}

/**
 * What Okta answers outside an authorization server's paths: the body of
 * test/fixtures/okta/not-found-E0000022.json (its source: test/fixtures/okta/SOURCES.md), kept here
 * because the sandbox ships without the tests; test/fixtures.test.ts fails if the two differ.
 */
export const OKTA_NOT_FOUND = JSON.stringify({
  errorCode: 'E0000022',
  errorSummary: 'The endpoint does not support the provided HTTP method',
  errorLink: 'E0000022',
  errorId: 'oaeWn4dFJrpSNSCK7mE2Pq9Xw',
  errorCauses: [],
});

/**
 * The ID-token signing key (RS256, as Okta signs): one per process, made on first use, so no
 * development default (and its warning) is used, and many issuers in one test run share the cost.
 */
let jwk: Record<string, unknown> | undefined;
function signingKey(): Record<string, unknown> {
  jwk ??= {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    kid: randomBytes(8).toString('hex'),
    use: 'sig',
    alg: 'RS256',
  };
  return jwk;
}

export async function startIssuer(opts: IssuerOptions): Promise<Issuer> {
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
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `https://${opts.host ?? 'localhost'}:${port}${prefix}`;
  const provider = new Provider(issuer, {
    clients: opts.clients.map((c) => {
      const grantTypes = c.grantTypes ?? ['authorization_code'];
      return {
        client_id: c.clientId,
        client_secret: c.clientSecret,
        redirect_uris: c.redirectUris,
        grant_types: grantTypes,
        response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
        token_endpoint_auth_method: 'client_secret_basic',
      };
    }),
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: true },
      ...(opts.clientCredentials ? { clientCredentials: { enabled: true } } : {}),
    },
    ttl: {
      ...(opts.clientCredentials ? { ClientCredentials: 600 } : {}),
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 600,
      IdToken: 600,
      AuthorizationCode: 60,
    },
    async renderError(ctx, out) {
      // Like Okta: an HTML error page that names the OAuth error.
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html><head><title>Error</title></head><body><h1>${escapeHtml(String(out.error))}</h1><p>${escapeHtml(String(out.error_description ?? ''))}</p></body></html>`;
    },
  });
  provider.proxy = false;
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

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
