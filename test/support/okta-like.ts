// A small HTTPS server on 127.0.0.1 that answers like Okta where oidc-provider answers differently:
// Okta's errorCode JSON for an unknown client, unauthorized_client / invalid_scope for client_credentials,
// a 401 carrying only a WWW-Authenticate challenge, 429 E0000047 with X-Rate-Limit-Reset (no Retry-After),
// Okta's HTML 400 page about the redirect URI, and a redirect back with error=access_denied.
// Imported by plain `node` too: erasable TypeScript and `.ts` import paths only.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createOktaManagementRoutes, type OktaManagementState } from './okta-management.ts';
import type { TestLeaf } from './pki.ts';

export interface OktaLikeClient {
  clientId: string;
  clientSecret: string;
  /** Sign-in redirect URIs, matched exactly like Okta does. */
  redirectUris: string[];
  /** Answer to client_credentials with the right secret. Default 'token'. */
  clientCredentials?: 'token' | 'unauthorized_client' | 'invalid_scope';
  /** Answer to a wrong secret: Okta's JSON body (default), or a 401 with only a WWW-Authenticate challenge. */
  wrongSecret?: 'json' | 'challenge-only';
  /**
   * Answer to an authorization request with a registered redirect URI: a 302 to the classic sign-in page
   * (default), a 200 sign-in page (Identity Engine), or a 302 back to the redirect URI with an error.
   */
  authorize?: 'login-redirect' | 'login-page' | 'access_denied' | 'unauthorized_client';
}

export interface OktaLikeOptions {
  tls: TestLeaf;
  clients: OktaLikeClient[];
  /** Custom authorization server path. Default '/oauth2/default'; '' for the org authorization server. */
  path?: string;
  /** Also serve Okta's read-only management API (/api/v1/...) from this state (test/support/okta-management.ts). */
  management?: OktaManagementState;
}

export interface OktaLikeRequest {
  method: string;
  path: string;
}

export interface OktaLike {
  /** e.g. https://localhost:43123/oauth2/default */
  issuer: string;
  port: number;
  /** Every request, in order (path without query). */
  requests: OktaLikeRequest[];
  /** Answer every token and authorize request with 429 E0000047 until this epoch second; null to stop. */
  setRateLimit(resetEpochSeconds: number | null): void;
  /** The management API's state (when served): tests change it between runs. */
  management?: OktaManagementState;
  close(): Promise<void>;
}

const RATE_LIMIT = 1200;

function okta(errorCode: string, errorSummary: string): string {
  return JSON.stringify({
    errorCode,
    errorSummary,
    errorLink: errorCode,
    errorId: `oae${randomBytes(9).toString('base64url')}`,
    errorCauses: [],
  });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`);
}

/** Okta's hosted error page: "Identity Provider: Unknown / Error Code: ... / Description: ...". */
function errorPage(code: string, description: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>example - Error</title>
<style>.error-code{font-weight:bold}</style>
<script>var okta = { locale: 'en', redirect_uri_hint: 'none' };</script></head>
<body><div class="content"><h2 class="o-form-head">400 Bad Request</h2>
<div class="o-form-explain">
<p>Identity Provider: Unknown</p>
<p>Error Code: <span class="error-code">${escapeHtml(code)}</span></p>
<p id="error-description">Description: ${escapeHtml(description)}</p>
</div><a href="/">Go back</a></div></body></html>`;
}

function signInPage(): string {
  return `<!DOCTYPE html><html><head><title>example - Sign In</title>
<script>var config = { redirectUri: '/oauth2/v1/authorize/redirect', authParams: { responseType: 'code', redirect_uri: 'x' }, error: 'invalid_client' };</script>
</head><body><div id="okta-sign-in">Sign In</div><label>Username</label><input name="identifier"></body></html>`;
}

function formDecode(s: string): string {
  return new URLSearchParams(`v=${s}`).get('v') ?? '';
}

function basicCredentials(req: IncomingMessage): { id: string; secret: string } | undefined {
  const auth = req.headers.authorization;
  if (!auth?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startOktaLike(opts: OktaLikeOptions): Promise<OktaLike> {
  const prefix = (opts.path ?? '/oauth2/default').replace(/\/$/, '');
  const requests: OktaLikeRequest[] = [];
  let rateLimitReset: number | null = null;
  let issuer = '';
  let port = 0;

  const rateHeaders = (res: ServerResponse, remaining: number, reset: number) => {
    res.setHeader('x-rate-limit-limit', String(RATE_LIMIT));
    res.setHeader('x-rate-limit-remaining', String(remaining));
    res.setHeader('x-rate-limit-reset', String(reset));
  };
  const json = (res: ServerResponse, status: number, body: string) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'no-cache, no-store');
    res.end(body);
  };
  const html = (res: ServerResponse, status: number, body: string) => {
    res.statusCode = status;
    res.setHeader('content-type', 'text/html;charset=utf-8');
    res.end(body);
  };
  const redirect = (res: ServerResponse, location: string) => {
    res.statusCode = 302;
    res.setHeader('location', location);
    res.end();
  };
  /** True when the request was answered with 429. */
  const limited = (res: ServerResponse): boolean => {
    const now = Math.floor(Date.now() / 1000);
    if (rateLimitReset === null || rateLimitReset <= now) {
      rateHeaders(res, RATE_LIMIT - 1, now + 60);
      return false;
    }
    rateHeaders(res, 0, rateLimitReset);
    json(res, 429, okta('E0000047', 'API call exceeded rate limit due to too many requests.'));
    return true;
  };

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      json(res, 405, okta('E0000022', 'The endpoint does not support the provided HTTP method'));
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    if (limited(res)) return;
    const creds = basicCredentials(req);
    if (!creds) {
      json(
        res,
        401,
        JSON.stringify({ error: 'invalid_client', error_description: 'Client authentication failed.' }),
      );
      return;
    }
    const client = opts.clients.find((c) => c.clientId === creds.id);
    if (!client) {
      json(res, 401, okta('invalid_client', "Invalid value for 'client_id' parameter."));
      return;
    }
    if (client.clientSecret !== creds.secret) {
      const description = 'The client secret supplied for a confidential client is invalid.';
      if (client.wrongSecret === 'challenge-only') {
        res.statusCode = 401;
        res.setHeader(
          'www-authenticate',
          `Basic realm="${issuer}", error="invalid_client", error_description="${description}"`,
        );
        res.end();
        return;
      }
      json(res, 401, JSON.stringify({ error: 'invalid_client', error_description: description }));
      return;
    }
    if (form.get('grant_type') !== 'client_credentials') {
      json(
        res,
        400,
        JSON.stringify({
          error: 'unsupported_grant_type',
          error_description: "'grant_type' is not supported.",
        }),
      );
      return;
    }
    switch (client.clientCredentials ?? 'token') {
      case 'unauthorized_client':
        json(
          res,
          400,
          JSON.stringify({
            error: 'unauthorized_client',
            error_description:
              'The client is not authorized to use the provided grant type. Configured grant types: [authorization_code].',
          }),
        );
        return;
      case 'invalid_scope':
        json(
          res,
          400,
          JSON.stringify({
            error: 'invalid_scope',
            error_description:
              "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
          }),
        );
        return;
      default:
        json(
          res,
          200,
          JSON.stringify({
            token_type: 'Bearer',
            expires_in: 3600,
            access_token: `eyJ${randomBytes(48).toString('base64url')}`,
            scope: 'cortex',
          }),
        );
    }
  }

  function authorize(res: ServerResponse, url: URL): void {
    if (limited(res)) return;
    const q = url.searchParams;
    const client = opts.clients.find((c) => c.clientId === q.get('client_id'));
    if (!client) {
      html(res, 400, errorPage('invalid_client', "Invalid value for 'client_id' parameter."));
      return;
    }
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!client.redirectUris.includes(redirectUri)) {
      const settings = `https://localhost-admin:${port}/admin/app/oidc_client/instance/${client.clientId}#tab-general`;
      html(
        res,
        400,
        errorPage(
          'invalid_request',
          `The 'redirect_uri' parameter must be a Login redirect URI in the client app settings: ${settings}`,
        ),
      );
      return;
    }
    const back = (error: string, description: string) => {
      const to = new URL(redirectUri);
      to.searchParams.set('state', q.get('state') ?? '');
      to.searchParams.set('error', error);
      to.searchParams.set('error_description', description);
      redirect(res, to.href);
    };
    switch (client.authorize ?? 'login-redirect') {
      case 'access_denied':
        back(
          'access_denied',
          'Policy evaluation failed for this request, please check the policy configurations.',
        );
        return;
      case 'unauthorized_client':
        back(
          'unauthorized_client',
          'The client is not authorized to use the provided grant type. Configured grant types: [client_credentials].',
        );
        return;
      case 'login-page':
        html(res, 200, signInPage());
        return;
      default: {
        const fromUri = `${prefix}/v1/authorize/redirect?okta_key=${randomBytes(16).toString('base64url')}`;
        redirect(res, `https://localhost:${port}/login/login.htm?fromURI=${encodeURIComponent(fromUri)}`);
      }
    }
  }

  function discovery(res: ServerResponse): void {
    json(
      res,
      200,
      JSON.stringify({
        issuer,
        authorization_endpoint: `${issuer}/v1/authorize`,
        token_endpoint: `${issuer}/v1/token`,
        userinfo_endpoint: `${issuer}/v1/userinfo`,
        jwks_uri: `${issuer}/v1/keys`,
        response_types_supported: ['code', 'id_token', 'code id_token'],
        grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'password'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        token_endpoint_auth_methods_supported: [
          'client_secret_basic',
          'client_secret_post',
          'private_key_jwt',
        ],
      }),
    );
  }

  const management = opts.management
    ? createOktaManagementRoutes(opts.management, () => `https://localhost:${port}`)
    : undefined;
  const server = https.createServer({ key: opts.tls.keyPem, cert: opts.tls.chainPem }, (req, res) => {
    const url = new URL(req.url ?? '/', `https://localhost:${port}`);
    requests.push({ method: req.method ?? 'GET', path: url.pathname });
    if (management?.(req, res, url)) return;
    const route = url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : '';
    const handle = async () => {
      if (route === '/.well-known/openid-configuration') discovery(res);
      else if (route === '/v1/token') await token(req, res);
      else if (route === '/v1/authorize') authorize(res, url);
      else json(res, 404, okta('E0000022', 'The endpoint does not support the provided HTTP method'));
    };
    handle().catch(() => {
      if (!res.headersSent) json(res, 500, okta('E0000009', 'Internal Server Error'));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  issuer = `https://localhost:${port}${prefix}`;
  return {
    issuer,
    port,
    requests,
    setRateLimit(reset) {
      rateLimitReset = reset;
    },
    ...(opts.management ? { management: opts.management } : {}),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
