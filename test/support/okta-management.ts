// Okta's management API routes, read-only part, as an HTTP handler any loopback server can mount:
// test/support/okta-like.ts mounts it next to the OAuth endpoints, and a sandbox can mount it too.
// Shapes and bodies come from test/fixtures/okta/ (each file's public source is in its README.md):
//   GET /api/v1/apps/{appId}                                   -> app JSON, or 404 E0000007 (AppInstance)
//   GET /api/v1/apps/{appId}/users|groups?limit=&after=        -> arrays, Link rel="self"/"next"
//   GET /api/v1/authorizationServers/{id}/policies             -> arrays, Link rel="next" when paged
//   GET /api/v1/authorizationServers/{id}/policies/{pid}/rules -> arrays
// Auth is `Authorization: SSWS <token>`: a wrong or missing token gets 401 E0000011, a token without
// a role 403 E0000006; a rate limit 429 E0000047 with X-Rate-Limit-Reset (no Retry-After).
// Anything but GET gets 405 E0000022, and every request is recorded by the server that mounts this.
// Imported by plain `node` too: erasable TypeScript and `.ts` import paths only.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

const FIXTURES = new URL('../fixtures/okta/', import.meta.url);

/** A fixture's JSON, with `{yourOktaDomain}` replaced by `host` when given. */
export function oktaFixture<T = unknown>(name: string, host?: string): T {
  let text = readFileSync(new URL(name, FIXTURES), 'utf8');
  if (host) text = text.replaceAll('{yourOktaDomain}', host);
  return JSON.parse(text) as T;
}

type Json = Record<string, unknown>;

export interface AppPatch {
  id?: string;
  status?: string;
  signOnMode?: string;
  applicationType?: string;
  grantTypes?: string[];
  redirectUris?: string[];
  tokenEndpointAuthMethod?: string;
  initiateLoginUri?: string;
}

/** The fixture's correct web app (app-oidc-web.json) with some settings changed. */
export function oktaApp(patch: AppPatch = {}): Json {
  const app = oktaFixture<Json>('app-oidc-web.json');
  const settings = (app.settings as Json).oauthClient as Json;
  const creds = (app.credentials as Json).oauthClient as Json;
  if (patch.id !== undefined) {
    app.id = patch.id;
    creds.client_id = patch.id;
  }
  if (patch.status !== undefined) app.status = patch.status;
  if (patch.signOnMode !== undefined) app.signOnMode = patch.signOnMode;
  if (patch.applicationType !== undefined) settings.application_type = patch.applicationType;
  if (patch.grantTypes !== undefined) settings.grant_types = patch.grantTypes;
  if (patch.redirectUris !== undefined) settings.redirect_uris = patch.redirectUris;
  if (patch.tokenEndpointAuthMethod !== undefined)
    creds.token_endpoint_auth_method = patch.tokenEndpointAuthMethod;
  if (patch.initiateLoginUri !== undefined) settings.initiate_login_uri = patch.initiateLoginUri;
  return app;
}

export interface PolicyPatch {
  id: string;
  name?: string;
  status?: string;
  priority?: number;
  clients: string[];
  rules: Array<{ id: string; name?: string; status?: string; grantTypes: string[] }>;
}

/** A policy shaped like authorization-server-policies.json, with its rules like ...-policy-rules.json. */
export function oktaPolicy(p: PolicyPatch): { policy: Json; rules: Json[] } {
  const policy = oktaFixture<Json[]>('authorization-server-policies.json')[0]!;
  policy.id = p.id;
  policy.name = p.name ?? p.id;
  policy.status = p.status ?? 'ACTIVE';
  policy.priority = p.priority ?? 1;
  policy.conditions = { clients: { include: p.clients } };
  const rules = p.rules.map((r, i) => {
    const rule = oktaFixture<Json[]>('authorization-server-policy-rules.json')[0]!;
    rule.id = r.id;
    rule.name = r.name ?? r.id;
    rule.status = r.status ?? 'ACTIVE';
    rule.priority = i + 1;
    const conditions = rule.conditions as Json;
    conditions.grantTypes = { include: r.grantTypes };
    return rule;
  });
  return { policy, rules };
}

export interface OktaManagementState {
  /** The token that may read everything. */
  token: string;
  /** Tokens Okta knows whose admin has no role that can read apps (403 E0000006). */
  forbiddenTokens?: string[];
  /** Paths the main token may not read (403 E0000006), like an admin role limited to apps. */
  forbiddenPathPrefixes?: string[];
  /** Apps by id (= client ID for OIDC apps). */
  apps: Record<string, Json>;
  /** Assigned users and groups by app id; missing means none. */
  assignments?: Record<string, { users?: Json[]; groups?: Json[] }>;
  /** Custom authorization servers by id. */
  authServers?: Record<string, Array<{ policy: Json; rules: Json[] }>>;
  /** Page size for policy lists (to exercise Link rel="next"); default: everything in one page. */
  policyPageSize?: number;
  /** Answer every request with 429 E0000047 until this epoch second. */
  rateLimitUntil?: number | null;
  /** Pretend the next page lives on another origin (a Link a client must not follow). */
  foreignNextLink?: string;
}

const RATE_LIMIT = 600;

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(JSON.stringify(body));
}

function oktaError(code: 'E0000011' | 'E0000006' | 'E0000007' | 'E0000047', summary?: string): Json {
  const body = oktaFixture<Json>(`error-${code}.json`);
  if (summary !== undefined) body.errorSummary = summary;
  return body;
}

/**
 * The management routes. Returns a handler that answers requests under /api/v1/ and returns true, or
 * returns false for any other path (the mounting server answers those).
 */
export function createOktaManagementRoutes(
  state: OktaManagementState,
  origin: () => string,
): (req: IncomingMessage, res: ServerResponse, url: URL) => boolean {
  return (req, res, url) => {
    if (!url.pathname.startsWith('/api/v1/')) return false;
    const now = Math.floor(Date.now() / 1000);
    const limited = state.rateLimitUntil != null && state.rateLimitUntil > now;
    const rate: Record<string, string> = {
      'x-rate-limit-limit': String(RATE_LIMIT),
      'x-rate-limit-remaining': limited ? '0' : String(RATE_LIMIT - 1),
      'x-rate-limit-reset': String(limited ? state.rateLimitUntil : now + 60),
    };
    if (req.method !== 'GET') {
      send(
        res,
        405,
        {
          errorCode: 'E0000022',
          errorSummary: 'The endpoint does not support the provided HTTP method',
          errorLink: 'E0000022',
          errorId: 'oaeNotAllowed',
          errorCauses: [],
        },
        rate,
      );
      return true;
    }
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('SSWS ') ? auth.slice(5) : '';
    if (token !== state.token && !state.forbiddenTokens?.includes(token)) {
      send(res, 401, oktaError('E0000011'), rate);
      return true;
    }
    if (limited) {
      send(res, 429, oktaError('E0000047'), rate);
      return true;
    }
    if (token !== state.token || state.forbiddenPathPrefixes?.some((p) => url.pathname.startsWith(p))) {
      send(res, 403, oktaError('E0000006'), rate);
      return true;
    }
    const parts = url.pathname.split('/').slice(3).map(decodeURIComponent); // after /api/v1/
    const notFound = (id: string, type: string) =>
      send(res, 404, oktaError('E0000007', `Not found: Resource not found: ${id} (${type})`), rate);

    if (parts[0] === 'apps' && parts[1]) {
      const app = state.apps[parts[1]];
      if (!app) {
        notFound(parts[1], 'AppInstance');
        return true;
      }
      if (parts.length === 2) {
        send(
          res,
          200,
          JSON.parse(JSON.stringify(app).replaceAll('{yourOktaDomain}', new URL(origin()).host)),
          rate,
        );
        return true;
      }
      if (parts.length === 3 && (parts[2] === 'users' || parts[2] === 'groups')) {
        const items = state.assignments?.[parts[1]]?.[parts[2]] ?? [];
        page(res, url, items, Number(url.searchParams.get('limit') ?? '50'), rate);
        return true;
      }
    }
    if (parts[0] === 'authorizationServers' && parts[1]) {
      const server = state.authServers?.[parts[1]];
      if (!server) {
        notFound(parts[1], 'AuthorizationServer');
        return true;
      }
      if (parts.length === 3 && parts[2] === 'policies') {
        page(
          res,
          url,
          server.map((p) => p.policy),
          state.policyPageSize ?? 1000,
          rate,
          state.foreignNextLink,
        );
        return true;
      }
      if (parts.length === 5 && parts[2] === 'policies' && parts[4] === 'rules') {
        const entry = server.find((p) => p.policy.id === parts[3]);
        if (!entry) {
          notFound(parts[3] ?? '', 'Policy');
          return true;
        }
        send(res, 200, entry.rules, rate);
        return true;
      }
    }
    send(res, 404, oktaError('E0000007', `Not found: Resource not found: ${url.pathname} (Resource)`), rate);
    return true;
  };
}

/** One page of `items` from the `after` cursor (an index here; opaque to clients), with Link headers. */
function page(
  res: ServerResponse,
  url: URL,
  items: unknown[],
  limit: number,
  rate: Record<string, string>,
  foreignNext?: string,
): void {
  const size = Number.isFinite(limit) && limit > 0 ? limit : 50;
  const start = Number(url.searchParams.get('after') ?? '0') || 0;
  const slice = items.slice(start, start + size);
  const links = [`<${url.href}>; rel="self"`];
  if (start + size < items.length) {
    const next = new URL(foreignNext ?? url.href);
    next.pathname = url.pathname;
    next.searchParams.set('after', String(start + size));
    if (url.searchParams.has('limit')) next.searchParams.set('limit', String(size));
    links.push(`<${next.href}>; rel="next"`);
  }
  res.statusCode = 200;
  res.setHeader('content-type', 'application/json');
  for (const [k, v] of Object.entries(rate)) res.setHeader(k, v);
  // Okta sends one Link header per relation.
  res.setHeader('link', links);
  res.end(JSON.stringify(slice));
}
