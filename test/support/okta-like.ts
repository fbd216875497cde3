// A small HTTPS server on 127.0.0.1 that answers like Okta where oidc-provider answers differently.
// It serves Okta's org authorization server (issuer https://localhost:PORT, endpoints /oauth2/v1/...)
// and one custom authorization server (default /oauth2/default). Every Okta error body it sends is a
// file in test/fixtures/okta/, listed with its public source in test/fixtures/okta/SOURCES.md;
// docs/okta-fidelity.md says which parts are assumptions.
// Token endpoint, in Okta's order: client authentication first (unknown client: 401 Okta errorCode body;
// wrong secret: 401 invalid_client), then the grant: any authorization_code -> 400 invalid_grant (no code
// is ever issued), client_credentials with a client secret on the org server -> refused (private_key_jwt
// only). Without API Access Management every /oauth2/{id} route answers E0000015.
// Imported by plain `node` too: erasable TypeScript and `.ts` import paths only.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
  /**
   * Answer to a wrong secret: Okta's JSON body (default), or a 401 with only a WWW-Authenticate
   * challenge (not observed from Okta: RFC 6749 §5.2 allows it; keeps the parser honest).
   */
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
  /** Custom authorization server path, or '' for the org authorization server. Default '/oauth2/default'. */
  path?: string;
  /** The org has API Access Management (custom authorization servers). Default true. */
  apiAccessManagement?: boolean;
  /** Also serve Okta's read-only management API (/api/v1/...) from this state (test/support/okta-management.ts). */
  management?: OktaManagementState;
}

export interface OktaLikeRequest {
  method: string;
  path: string;
}

export interface OktaLike {
  /** e.g. https://localhost:43123/oauth2/default (or the org issuer when path is ''). */
  issuer: string;
  /** The org authorization server's issuer: https://localhost:43123 (always served). */
  orgIssuer: string;
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

/**
 * Okta's error body shape (`errorCode`, `errorSummary`, `errorLink`, `errorId`, `errorCauses`), kept for
 * routes whose bodies are not recorded yet. The OAuth endpoints below serve only recorded fixtures;
 * a body built here should get its own file and source in test/fixtures/okta/ too.
 */
export function okta(errorCode: string, errorSummary: string): string {
  return JSON.stringify({
    errorCode,
    errorSummary,
    errorLink: errorCode,
    errorId: `oae${randomBytes(9).toString('base64url')}`,
    errorCauses: [],
  });
}

/** An Okta answer as recorded in test/fixtures/okta/ (see SOURCES.md there for where each comes from). */
function fixture(name: string): string {
  const text = readFileSync(new URL(`../fixtures/okta/${name}`, import.meta.url), 'utf8').trim();
  // The files are formatted for review; Okta sends compact JSON.
  return name.endsWith('.json') ? JSON.stringify(JSON.parse(text)) : text;
}

const BODY = {
  unknownClient: fixture('token-unknown-client.json'),
  wrongSecret: fixture('token-wrong-secret.json'),
  noClientAuthentication: fixture('token-no-client-authentication.json'),
  invalidGrant: fixture('token-invalid-grant.json'),
  clientCredentialsOrgAs: fixture('token-client-credentials-org-as.json'),
  featureNotEnabled: fixture('feature-not-enabled-E0000015.json'),
  rateLimited: fixture('rate-limit-E0000047.json'),
  notFound: fixture('not-found-E0000022.json'),
  serverError: fixture('server-error-E0000009.json'),
};
const PAGE = {
  redirectUri: fixture('authorize-redirect-uri-not-registered.html'),
  unknownClient: fixture('authorize-unknown-client.html'),
  featureNotEnabled: fixture('authorize-feature-not-enabled.html'),
};
const REDIRECT_ERRORS = JSON.parse(fixture('authorize-redirect-errors.json')) as Record<
  'access_denied' | 'unauthorized_client',
  string
>;

/** The redirect-URI page names the app's admin-console address (an https URL: nothing to escape). */
function settingsPage(settingsUrl: string): string {
  return PAGE.redirectUri.replace('{{settingsUrl}}', settingsUrl);
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
  const apiAccessManagement = opts.apiAccessManagement ?? true;
  const requests: OktaLikeRequest[] = [];
  let rateLimitReset: number | null = null;
  let issuer = '';
  let orgIssuer = '';
  let port = 0;

  /** Which authorization server a path belongs to, and the route under it. */
  interface AuthServer {
    /** 'org' for https://host, else the custom server's id. */
    id: string;
    issuer: string;
    /** Endpoint base: {host}/oauth2 for the org server, {host}/oauth2/{id} for a custom one. */
    base: string;
    route: string;
  }
  const customId = prefix.startsWith('/oauth2/') ? prefix.slice('/oauth2/'.length) : undefined;
  function authServerOf(path: string): AuthServer | undefined {
    const origin = `https://localhost:${port}`;
    if (path === '/.well-known/openid-configuration' || path.startsWith('/oauth2/v1/')) {
      return {
        id: 'org',
        issuer: orgIssuer,
        base: `${origin}/oauth2`,
        route: path.startsWith('/oauth2/') ? path.slice('/oauth2'.length) : path,
      };
    }
    const m = /^\/oauth2\/([^/]+)(\/.*)$/.exec(path);
    if (m && m[1] !== undefined && m[2] !== undefined && (m[1] === customId || !apiAccessManagement)) {
      const base = `${origin}/oauth2/${m[1]}`;
      return { id: m[1], issuer: base, base, route: m[2] };
    }
    return undefined;
  }

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
    json(res, 429, BODY.rateLimited);
    return true;
  };

  async function token(req: IncomingMessage, res: ServerResponse, as: AuthServer): Promise<void> {
    if (req.method !== 'POST') {
      json(res, 404, BODY.notFound);
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    if (limited(res)) return;
    const creds = basicCredentials(req);
    if (!creds) {
      json(res, 401, BODY.noClientAuthentication);
      return;
    }
    // Okta authenticates the client before it looks at the grant.
    const client = opts.clients.find((c) => c.clientId === creds.id);
    if (!client) {
      json(res, 401, BODY.unknownClient);
      return;
    }
    if (client.clientSecret !== creds.secret) {
      if (client.wrongSecret === 'challenge-only') {
        const description = (JSON.parse(BODY.wrongSecret) as { error_description: string }).error_description;
        res.statusCode = 401;
        res.setHeader(
          'www-authenticate',
          `Basic realm="${as.issuer}", error="invalid_client", error_description="${description}"`,
        );
        res.end();
        return;
      }
      json(res, 401, BODY.wrongSecret);
      return;
    }
    switch (form.get('grant_type')) {
      case 'authorization_code':
        // No code is ever issued here, so every code is unknown.
        json(res, 400, BODY.invalidGrant);
        return;
      case 'client_credentials':
        if (as.id === 'org') {
          json(res, 401, BODY.clientCredentialsOrgAs);
          return;
        }
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
        return;
      default:
        // Not recorded from Okta (the probe never sends another grant): RFC 6749 §5.2's bare error.
        json(res, 400, JSON.stringify({ error: 'unsupported_grant_type' }));
    }
  }

  function authorize(res: ServerResponse, url: URL): void {
    if (limited(res)) return;
    const q = url.searchParams;
    const client = opts.clients.find((c) => c.clientId === q.get('client_id'));
    if (!client) {
      html(res, 400, PAGE.unknownClient);
      return;
    }
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!client.redirectUris.includes(redirectUri)) {
      const settings = `https://localhost-admin:${port}/admin/app/oidc_client/instance/${client.clientId}#tab-general`;
      html(res, 400, settingsPage(settings));
      return;
    }
    const back = (error: 'access_denied' | 'unauthorized_client') => {
      const to = new URL(redirectUri);
      to.searchParams.set('state', q.get('state') ?? '');
      to.searchParams.set('error', error);
      to.searchParams.set('error_description', REDIRECT_ERRORS[error]);
      redirect(res, to.href);
    };
    switch (client.authorize ?? 'login-redirect') {
      case 'access_denied':
        back('access_denied');
        return;
      case 'unauthorized_client':
        back('unauthorized_client');
        return;
      case 'login-page':
        html(res, 200, signInPage());
        return;
      default: {
        const fromUri = `${url.pathname.replace(/\/v1\/authorize$/, '')}/v1/authorize/redirect?okta_key=${randomBytes(16).toString('base64url')}`;
        redirect(res, `https://localhost:${port}/login/login.htm?fromURI=${encodeURIComponent(fromUri)}`);
      }
    }
  }

  /** The signing keys: one RSA key, made once per server (its content is ours, not Okta's). */
  let jwks: string | undefined;
  function keys(res: ServerResponse): void {
    if (jwks === undefined) {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const jwk = publicKey.export({ format: 'jwk' });
      jwks = JSON.stringify({ keys: [{ ...jwk, kid: 'okta-like-1', alg: 'RS256', use: 'sig' }] });
    }
    json(res, 200, jwks);
  }

  /** Without API Access Management, Okta refuses every custom authorization server route. */
  function featureNotEnabled(res: ServerResponse, route: string): void {
    if (route === '/v1/authorize') html(res, 400, PAGE.featureNotEnabled);
    else json(res, 401, BODY.featureNotEnabled);
  }

  function discovery(res: ServerResponse, as: AuthServer): void {
    json(
      res,
      200,
      JSON.stringify({
        issuer: as.issuer,
        authorization_endpoint: `${as.base}/v1/authorize`,
        token_endpoint: `${as.base}/v1/token`,
        userinfo_endpoint: `${as.base}/v1/userinfo`,
        jwks_uri: `${as.base}/v1/keys`,
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
    const as = authServerOf(url.pathname);
    const route = as?.route ?? '';
    const handle = async () => {
      if (as && as.id !== 'org' && !apiAccessManagement) featureNotEnabled(res, route);
      else if (as && route === '/.well-known/openid-configuration') discovery(res, as);
      else if (as && route === '/v1/token') await token(req, res, as);
      else if (as && route === '/v1/authorize') authorize(res, url);
      else if (as && route === '/v1/keys') keys(res);
      else json(res, 404, BODY.notFound);
    };
    handle().catch(() => {
      if (!res.headersSent) json(res, 500, BODY.serverError);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  orgIssuer = `https://localhost:${port}`;
  issuer = `${orgIssuer}${prefix}`;
  return {
    issuer,
    orgIssuer,
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
