/**
 * A read-only client for Okta's management API (https://{org}/api/v1/...), as documented in
 * okta/okta-management-openapi-spec (dist/current/management-oneOfInheritance.yaml):
 *
 * - auth: `Authorization: SSWS {API token}` (securitySchemes.apiToken);
 * - every request is a GET: this module has no way to send anything else;
 * - one origin only: the org of the issuer. Redirects are never followed, and a `Link: <…>; rel="next"`
 *   that points at another origin is refused, so the token never travels anywhere else;
 * - each answer is capped in size and time; pages are capped in number;
 * - Okta's error body `{errorCode, errorSummary, errorLink, errorId, errorCauses}` becomes a typed
 *   OktaApiError: E0000011 (401), E0000006 (403), E0000007 (404), E0000047 (429, waits for
 *   X-Rate-Limit-Reset when that is near, else reports when to retry).
 *
 * The token is a Secret: it is revealed only into the Authorization header, never into a message.
 * undici (through net/http) is loaded on the first request, so the auth commands can import
 * resolveOktaToken from here without loading the HTTP stack.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HttpTransport } from '../net/dispatcher.js';
import { Secret } from '../secret.js';
import type { Keychain } from '../secrets/keychain.js';
import { escapeControl } from '../text/escape.js';
import { header, retryAt } from './oauth-errors.js';

/** The keychain account of a profile's Okta API token (service `cortex-sso`). */
export function oktaTokenAccount(profile: string): string {
  return `okta-api-token:${profile}`;
}

/**
 * The Okta API token: OKTA_API_TOKEN first, then the keychain entry stored by `auth login --okta`.
 * Null when neither has one. A keychain that cannot be read throws (CortexSsoError KEYCHAIN_*).
 */
export async function resolveOktaToken(
  env: Readonly<Record<string, string | undefined>>,
  keychain: Pick<Keychain, 'get'>,
  profile: string,
): Promise<{ token: Secret; source: 'env' | 'keychain' } | null> {
  const fromEnv = env.OKTA_API_TOKEN?.trim();
  if (fromEnv) return { token: new Secret(fromEnv), source: 'env' };
  const stored = await keychain.get(oktaTokenAccount(profile));
  return stored === null ? null : { token: stored, source: 'keychain' };
}

export type OktaErrorKind =
  /** 401 E0000011: the token is wrong, revoked or expired. */
  | 'invalid-token'
  /** 403 E0000006: the token's admin has no role that may read this. */
  | 'forbidden'
  /** 404 E0000007: no such app / authorization server in this org. */
  | 'not-found'
  /** 429 E0000047 and the reset is too far away to wait for. */
  | 'rate-limited'
  /** Any other HTTP status, a redirect, a body that is too big or not JSON, too many pages. */
  | 'unexpected'
  /** The request did not get an HTTP answer (DNS, TCP, TLS, timeout). */
  | 'network';

/** An answer from Okta that is not the data asked for. Never carries the token. */
export class OktaApiError extends Error {
  override readonly name = 'OktaApiError';
  readonly kind: OktaErrorKind;
  /** The path asked for, e.g. /api/v1/apps/0oa… (no query). */
  readonly path: string;
  readonly status?: number;
  readonly errorCode?: string;
  readonly errorSummary?: string;
  readonly errorId?: string;
  /** 429: when Okta said the limit resets. */
  readonly resetAt?: Date;

  constructor(
    kind: OktaErrorKind,
    message: string,
    info: {
      path: string;
      status?: number;
      errorCode?: string;
      errorSummary?: string;
      errorId?: string;
      resetAt?: Date;
      cause?: unknown;
    },
  ) {
    super(message, info.cause === undefined ? undefined : { cause: info.cause });
    this.kind = kind;
    this.path = info.path;
    if (info.status !== undefined) this.status = info.status;
    if (info.errorCode !== undefined) this.errorCode = info.errorCode;
    if (info.errorSummary !== undefined) this.errorSummary = info.errorSummary;
    if (info.errorId !== undefined) this.errorId = info.errorId;
    if (info.resetAt !== undefined) this.resetAt = info.resetAt;
  }
}

/** The parts of an Okta app (Application / OpenIdConnectApplication in the spec) the audit reads. */
export interface OktaApp {
  id?: string;
  label?: string;
  name?: string;
  status?: string;
  signOnMode?: string;
  clientId?: string;
  tokenEndpointAuthMethod?: string;
  applicationType?: string;
  grantTypes: string[];
  redirectUris: string[];
  initiateLoginUri?: string;
  /** settings.oauthClient.idp_initiated_login.mode, when present. */
  idpInitiatedLoginMode?: string;
}

/** An authorization server access policy (AuthorizationServerPolicy), as far as the audit needs it. */
export interface OktaPolicy {
  id: string;
  name?: string;
  status?: string;
  priority?: number;
  clientsInclude: string[];
}

/** A policy rule (AuthorizationServerPolicyRule), as far as the audit needs it. */
export interface OktaPolicyRule {
  id: string;
  name?: string;
  status?: string;
  priority?: number;
  grantTypesInclude: string[];
}

export interface OktaManagement {
  /** The org origin every request goes to, e.g. https://acme.okta.com */
  readonly orgUrl: string;
  getApp(appId: string): Promise<OktaApp>;
  /** Whether at least one user / group is assigned (first page with limit=1). */
  hasAssignedUsers(appId: string): Promise<boolean>;
  hasAssignedGroups(appId: string): Promise<boolean>;
  listPolicies(authServerId: string): Promise<OktaPolicy[]>;
  listPolicyRules(authServerId: string, policyId: string): Promise<OktaPolicyRule[]>;
}

export interface OktaManagementOptions {
  /** The issuer's origin; only this origin is ever asked. */
  orgUrl: string;
  token: Secret;
  dispatcher: HttpTransport;
  /** Per request (headers and body). */
  timeoutMs: number;
  /** Per answer. Default 1 MiB. */
  maxBytes?: number;
  /** Per list. Default 20 pages. */
  maxPages?: number;
  /** Wait for X-Rate-Limit-Reset at most this long before giving up. Default 10 s. */
  maxRateLimitWaitMs?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
const DEFAULT_MAX_PAGES = 20;
const DEFAULT_MAX_WAIT_MS = 10_000;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
const obj = (v: unknown): Json => (isObject(v) ? v : {});

/** Tolerant reading of GET /api/v1/apps/{appId}: unknown or missing fields are simply absent. */
function parseApp(doc: unknown): OktaApp {
  const d = obj(doc);
  const settingsClient = obj(obj(d.settings).oauthClient);
  const credsClient = obj(obj(d.credentials).oauthClient);
  const app: OktaApp = {
    grantTypes: strings(settingsClient.grant_types),
    redirectUris: strings(settingsClient.redirect_uris),
  };
  const set = <K extends keyof OktaApp>(k: K, v: OktaApp[K] | undefined) => {
    if (v !== undefined) app[k] = v;
  };
  set('id', str(d.id));
  set('label', str(d.label));
  set('name', str(d.name));
  set('status', str(d.status));
  set('signOnMode', str(d.signOnMode));
  set('clientId', str(credsClient.client_id));
  set('tokenEndpointAuthMethod', str(credsClient.token_endpoint_auth_method));
  set('applicationType', str(settingsClient.application_type));
  set('initiateLoginUri', str(settingsClient.initiate_login_uri));
  set('idpInitiatedLoginMode', str(obj(settingsClient.idp_initiated_login).mode));
  // credentials.oauthClient.client_secret is deliberately never read.
  return app;
}

function parsePolicy(doc: unknown): OktaPolicy | undefined {
  const d = obj(doc);
  const id = str(d.id);
  if (!id) return undefined;
  const p: OktaPolicy = { id, clientsInclude: strings(obj(obj(d.conditions).clients).include) };
  if (str(d.name) !== undefined) p.name = str(d.name)!;
  if (str(d.status) !== undefined) p.status = str(d.status)!;
  if (typeof d.priority === 'number') p.priority = d.priority;
  return p;
}

function parsePolicyRule(doc: unknown): OktaPolicyRule | undefined {
  const d = obj(doc);
  const id = str(d.id);
  if (!id) return undefined;
  const r: OktaPolicyRule = { id, grantTypesInclude: strings(obj(obj(d.conditions).grantTypes).include) };
  if (str(d.name) !== undefined) r.name = str(d.name)!;
  if (str(d.status) !== undefined) r.status = str(d.status)!;
  if (typeof d.priority === 'number') r.priority = d.priority;
  return r;
}

/**
 * The `rel="next"` target of a Link header (RFC 8288), or undefined. Okta sends one Link per relation
 * (`<…>; rel="self"`, `<…>; rel="next"`); Node joins repeated headers with ", ".
 */
export function nextLink(link: string | string[] | undefined): string | undefined {
  if (link === undefined) return undefined;
  const text = Array.isArray(link) ? link.join(', ') : link;
  const re = /<([^>]*)>\s*((?:;\s*[A-Za-z*-]+\s*=\s*(?:"[^"]*"|[^;,]*)\s*)*)/g;
  for (const m of text.matchAll(re)) {
    const params = m[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rels.includes('next')) return m[1];
  }
  return undefined;
}

function parseOktaError(body: Buffer): { errorCode?: string; errorSummary?: string; errorId?: string } {
  try {
    const d = JSON.parse(body.toString('utf8')) as unknown;
    if (!isObject(d)) return {};
    const out: { errorCode?: string; errorSummary?: string; errorId?: string } = {};
    // Okta's words reach the terminal: control characters are escaped, as for every answer read.
    if (str(d.errorCode)) out.errorCode = escapeControl(str(d.errorCode)!);
    if (str(d.errorSummary)) out.errorSummary = escapeControl(str(d.errorSummary)!.slice(0, 300));
    if (str(d.errorId)) out.errorId = escapeControl(str(d.errorId)!.slice(0, 60));
    return out;
  } catch {
    return {};
  }
}

/** "E0000011 Invalid token provided" or "HTTP 500". */
function said(status: number, e: { errorCode?: string; errorSummary?: string }): string {
  if (e.errorCode && e.errorSummary) return `${e.errorCode} "${e.errorSummary}"`;
  if (e.errorCode) return e.errorCode;
  return `HTTP ${status}`;
}

const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref?.();
  });

export function createOktaManagement(opts: OktaManagementOptions): OktaManagement {
  const origin = new URL(opts.orgUrl).origin;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxPages = opts.maxPages ?? DEFAULT_MAX_PAGES;
  const maxWait = opts.maxRateLimitWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const now = opts.now ?? (() => new Date());
  const sleep = opts.sleep ?? defaultSleep;

  /** One GET, with waits on 429 while the reset is near. Returns the parsed JSON and the headers. */
  async function get(url: URL): Promise<{ body: unknown; headers: IncomingHttpHeaders }> {
    const path = url.pathname;
    if (url.origin !== origin) {
      throw new OktaApiError(
        'unexpected',
        `Okta pointed the next page at ${url.origin}, not the org ${origin}; the token is only ever sent to the org.`,
        { path },
      );
    }
    const { httpGet } = await import('../net/http.js');
    for (let attempt = 0; ; attempt++) {
      let res: Awaited<ReturnType<typeof httpGet>>;
      try {
        res = await httpGet(url.href, {
          dispatcher: opts.dispatcher,
          timeoutMs: opts.timeoutMs,
          maxBytes,
          method: 'GET',
          headers: {
            accept: 'application/json',
            authorization: `SSWS ${opts.token.reveal()}`,
            'user-agent': 'cortex-sso (okta audit, read-only)',
          },
        });
      } catch (err) {
        throw new OktaApiError('network', `GET ${path} got no answer from ${origin}`, { path, cause: err });
      }
      const status = res.status;
      if (status === 200) {
        if (res.truncated) {
          throw new OktaApiError('unexpected', `GET ${path}: the answer is larger than ${maxBytes} bytes`, {
            path,
            status,
          });
        }
        try {
          return { body: JSON.parse(res.body.toString('utf8')) as unknown, headers: res.headers };
        } catch {
          throw new OktaApiError('unexpected', `GET ${path}: the answer is not JSON`, { path, status });
        }
      }
      const e = parseOktaError(res.body);
      const info = { path, status, ...e };
      if (status === 429) {
        const at = retryAt(res.headers, now()) ?? new Date(now().getTime() + 60_000);
        const wait = at.getTime() - now().getTime() + 250;
        if (attempt < 2 && wait <= maxWait) {
          await sleep(Math.max(0, wait));
          continue;
        }
        throw new OktaApiError('rate-limited', `GET ${path}: ${said(status, e)}`, { ...info, resetAt: at });
      }
      if (status === 401) throw new OktaApiError('invalid-token', `GET ${path}: ${said(status, e)}`, info);
      if (status === 403) throw new OktaApiError('forbidden', `GET ${path}: ${said(status, e)}`, info);
      if (status === 404) throw new OktaApiError('not-found', `GET ${path}: ${said(status, e)}`, info);
      if (status >= 300 && status < 400) {
        const loc = header(res.headers, 'location');
        let where = '';
        try {
          if (loc) where = ` to ${new URL(loc, url).origin}`;
        } catch {
          // an unparsable Location is reported without it
        }
        throw new OktaApiError(
          'unexpected',
          `GET ${path}: HTTP ${status} redirect${where}, not followed (the token stays with ${origin})`,
          info,
        );
      }
      throw new OktaApiError('unexpected', `GET ${path}: ${said(status, e)}`, info);
    }
  }

  /**
   * A list, following `Link: <…>; rel="next"` up to maxPages. `limit` is sent only where the spec
   * documents it (app users and groups); `firstPageOnly` reads one page and ignores the rest.
   */
  async function list(
    path: string,
    opts: { limit?: number; firstPageOnly?: boolean } = {},
  ): Promise<unknown[]> {
    const out: unknown[] = [];
    let url: URL | undefined = new URL(path, origin);
    if (opts.limit !== undefined) url.searchParams.set('limit', String(opts.limit));
    for (let page = 0; url; page++) {
      if (page >= maxPages) {
        throw new OktaApiError('unexpected', `GET ${path}: more than ${maxPages} pages; stopped reading`, {
          path,
        });
      }
      const { body, headers } = await get(url);
      if (!Array.isArray(body)) {
        throw new OktaApiError('unexpected', `GET ${url.pathname}: expected a JSON array`, { path });
      }
      out.push(...body);
      if (opts.firstPageOnly) break;
      const next = nextLink(headers.link);
      url = next ? new URL(next, url) : undefined;
    }
    return out;
  }

  const seg = encodeURIComponent;

  return {
    orgUrl: origin,
    async getApp(appId) {
      const { body } = await get(new URL(`/api/v1/apps/${seg(appId)}`, origin));
      if (!isObject(body)) {
        throw new OktaApiError('unexpected', `GET /api/v1/apps/${appId}: expected a JSON object`, {
          path: `/api/v1/apps/${appId}`,
        });
      }
      return parseApp(body);
    },
    async hasAssignedUsers(appId) {
      return (await list(`/api/v1/apps/${seg(appId)}/users`, { limit: 1, firstPageOnly: true })).length > 0;
    },
    async hasAssignedGroups(appId) {
      return (await list(`/api/v1/apps/${seg(appId)}/groups`, { limit: 1, firstPageOnly: true })).length > 0;
    },
    async listPolicies(authServerId) {
      const items = await list(`/api/v1/authorizationServers/${seg(authServerId)}/policies`);
      return items.map(parsePolicy).filter((p): p is OktaPolicy => p !== undefined);
    },
    async listPolicyRules(authServerId, policyId) {
      const items = await list(
        `/api/v1/authorizationServers/${seg(authServerId)}/policies/${seg(policyId)}/rules`,
      );
      return items.map(parsePolicyRule).filter((r): r is OktaPolicyRule => r !== undefined);
    },
  };
}
