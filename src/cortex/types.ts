/**
 * Cortex's SSO API as Cortex's own command-line tool calls it (docs/api.md, docs/openapi.yaml):
 * routes, wire shapes and the tolerant readers for what is not public.
 *
 * Source: cortexapps/cli, `cortexapps_cli/commands/sso.py` at commit 8e94fbf (June 2026; removed
 * from that CLI a month later, so these routes are unofficial), and `cortexapps_cli/cortex_client.py`
 * for the error body. Not public, and therefore read tolerantly here: the exact shape of the list
 * answer, and whether POST replaces an existing OIDC connection or adds one.
 *
 * Shared by the client, the reference server (src/sandbox/) and the commands, so all agree.
 */

import { escapeControl } from '../text/escape.js';

export const DEFAULT_API_URL = 'https://api.getcortexapp.com';

/**
 * Cortex's Auth0 callback: the redirect URI an Okta app must register for Cortex sign-in (Cortex's
 * Okta SSO guide; its docs name it for every OpenID provider).
 */
export const CORTEX_CALLBACK_URI = 'https://cortexapp.auth0.com/login/callback';
/** The sign-in redirect URI for auto sign-on from Okta (Cortex's Okta guide); YOUR_TENANT_CODE is the workspace's. */
export const CORTEX_SIGN_IN_URI_TEMPLATE = 'https://app.getcortexapp.com/login?tenantCode=YOUR_TENANT_CODE';

/** GET lists every SSO configuration of the workspace; DELETE (no id) deletes them all. */
export const SSO_CONFIGURATIONS_PATH = '/api/v1/sso/configurations';
/** POST creates an OIDC connection. */
export const OIDC_CONFIGURATIONS_PATH = '/api/v1/sso/oidc/configurations';

/** DELETE deletes one connection. */
export function configurationPath(connectionId: string): string {
  return `${SSO_CONFIGURATIONS_PATH}/${encodeURIComponent(connectionId)}`;
}

/** `connectionType` values Cortex's CLI sends (its `Provider` enum). */
export const CONNECTION_TYPES = ['OKTA', 'GOOGLE', 'AZURE'] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

/** The client authentication method Cortex's CLI always sends as `type`. */
export const OIDC_AUTH_TYPE = 'client_secret_basic';

/** Connector types this tool configures (its `--type`), and the connectionType each maps to. */
export const CONNECTOR_TYPES = ['okta'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];
export const CONNECTION_TYPE_OF: Record<ConnectorType, ConnectionType> = { okta: 'OKTA' };

/** POST body, exactly as Cortex's CLI builds it. */
export interface OidcConnectionWire {
  type: typeof OIDC_AUTH_TYPE;
  /** The identity provider's client ID. */
  id: string;
  secret: string;
  issuerUri: string;
  connectionType: ConnectionType;
}

/**
 * One OIDC connection as read from the list: the POST body without the secret, plus its id.
 * Field names are ours (clientId, issuer); the wire's are `id` and `issuerUri`.
 */
export interface OidcConnection {
  /** Absent when the API did not send one: such an entry can be shown but never deleted by id. */
  connectionId?: string;
  /** As sent by the API (OKTA, GOOGLE, AZURE, or anything else it grows). */
  connectionType: string;
  /** The client authentication method (`client_secret_basic`), when the API sent it. */
  type?: string;
  clientId: string;
  issuer: string;
}

/** The list, read tolerantly: the OIDC entries, and how many entries of other kinds were ignored. */
export interface SsoListing {
  oidc: OidcConnection[];
  /** SAML, or any entry that is not an OIDC connection: never touched, never matched. */
  otherCount: number;
}

/** Largest request body the reference server accepts (413 above). */
export const MAX_BODY_BYTES = 64 * 1024;

/** Cortex's JSON error body (cortex_client.py reads message, details and requestId). */
export interface CortexErrorBody {
  message: string;
  /** A string on Cortex (not a list). */
  details: string;
  requestId: string;
  httpStatus: number;
  type: string;
}

/** Cortex's validation failure body. */
export interface Violation {
  title: string;
  description: string;
  violationType: string;
  /** JSON pointer to the field, e.g. `/issuerUri`. */
  pointer: string;
}

export interface ViolationsBody {
  violations: Violation[];
}

// ── readers ──────────────────────────────────────────────────────────────────

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A string field of an answer, with control characters escaped: safe to print anywhere. */
function safe(v: unknown): string | undefined {
  const s = str(v);
  return s === undefined ? undefined : escapeControl(s);
}

/** Keys under which a wrapped list may arrive; `configurations` is the documented assumption. */
const LIST_KEYS = ['configurations', 'ssoConfigurations', 'connections', 'items', 'data', 'results'];

/**
 * Reads the list answer: `{"configurations": [...]}` (assumed), a bare array, or an object with one
 * of a few common wrapper keys. Returns null when the body is not a list of SSO configurations at
 * all (an HTML page, a login page, another API's JSON), so the caller can say the URL is wrong.
 */
export function parseSsoListing(body: unknown): SsoListing | null {
  let entries: unknown[] | undefined;
  if (Array.isArray(body)) entries = body;
  else if (isObject(body)) {
    for (const key of LIST_KEYS) {
      const v = body[key];
      if (Array.isArray(v)) {
        entries = v;
        break;
      }
    }
  }
  if (!entries) return null;
  const oidc: OidcConnection[] = [];
  let otherCount = 0;
  for (const entry of entries) {
    const parsed = parseOidcConnection(entry);
    if (parsed) oidc.push(parsed);
    else otherCount += 1;
  }
  return { oidc, otherCount };
}

/**
 * One entry, if it is an OIDC connection: it names a client ID (`id`, or `clientId`) and an issuer
 * (`issuerUri`, or `issuer`). Unknown fields are ignored and never copied, so a `secret` that an
 * API might send back can never reach our output. Entries of other kinds (SAML: a metadata URL, an
 * entity id) return null.
 */
export function parseOidcConnection(entry: unknown): OidcConnection | null {
  if (!isObject(entry)) return null;
  const kind = str(entry.kind) ?? str(entry.protocol) ?? str(entry.ssoType);
  if (kind && !/oidc|openid/i.test(kind)) return null;
  if (/saml/i.test(String(entry.type ?? ''))) return null;
  const clientId = safe(entry.id) ?? safe(entry.clientId);
  const issuer = safe(entry.issuerUri) ?? safe(entry.issuer);
  if (!clientId || !issuer) return null;
  const rawId = entry.connectionId ?? entry.connection_id;
  const connectionId =
    typeof rawId === 'string' && rawId !== ''
      ? escapeControl(rawId)
      : typeof rawId === 'number' && Number.isFinite(rawId)
        ? String(rawId)
        : undefined;
  const out: OidcConnection = {
    connectionType: safe(entry.connectionType) ?? 'UNKNOWN',
    clientId,
    issuer,
  };
  if (connectionId !== undefined) out.connectionId = connectionId;
  const type = safe(entry.type);
  if (type !== undefined) out.type = type;
  return out;
}

/** An order-independent fingerprint of a listing: equal when nothing relevant changed. */
export function listingFingerprint(l: SsoListing): string {
  const rows = l.oidc
    .map((c) => JSON.stringify([c.connectionId ?? '', c.connectionType, c.type ?? '', c.clientId, c.issuer]))
    .sort();
  return JSON.stringify({ oidc: rows, other: l.otherCount });
}

/** Reads Cortex's error body: `message` (+ `details` as a string, or anything else stringified). */
export function parseCortexError(
  body: unknown,
): { message: string; details?: string; requestId?: string; type?: string } | null {
  if (!isObject(body)) return null;
  const message = str(body.message);
  if (message === undefined) return null;
  const out: { message: string; details?: string; requestId?: string; type?: string } = { message };
  const d = body.details;
  if (typeof d === 'string' && d.trim() !== '') out.details = d;
  else if (d !== undefined && d !== null && typeof d !== 'string') {
    try {
      out.details = JSON.stringify(d).slice(0, 500);
    } catch {
      // not serialisable: leave it out
    }
  }
  const requestId = str(body.requestId);
  if (requestId !== undefined) out.requestId = requestId;
  const type = str(body.type);
  if (type !== undefined) out.type = type;
  return out;
}

/** Reads Cortex's validation body; [] when it is not one. */
export function parseViolations(body: unknown): Violation[] {
  if (!isObject(body) || !Array.isArray(body.violations)) return [];
  return body.violations.flatMap((v) => {
    if (!isObject(v)) return [];
    const title = str(v.title) ?? '';
    const description = str(v.description) ?? '';
    if (title === '' && description === '') return [];
    return [
      {
        title,
        description,
        violationType: str(v.violationType) ?? '',
        pointer: str(v.pointer) ?? '',
      },
    ];
  });
}

// ── the server's field rules (the reference server enforces them; the client checks them first) ──

const MAX_FIELD_LENGTH = 2048;

/** One violation per bad field of a POST body; [] when acceptable. */
export function validateOidcWire(body: unknown): Violation[] {
  const v = (pointer: string, description: string): Violation => ({
    title: 'Invalid field',
    description,
    violationType: 'INVALID_FIELD',
    pointer,
  });
  if (!isObject(body)) return [v('', 'The body must be a JSON object')];
  const out: Violation[] = [];
  if (body.type !== OIDC_AUTH_TYPE) out.push(v('/type', `must be "${OIDC_AUTH_TYPE}"`));
  if (!(CONNECTION_TYPES as readonly unknown[]).includes(body.connectionType)) {
    out.push(v('/connectionType', `must be one of ${CONNECTION_TYPES.join(', ')}`));
  }
  for (const field of ['id', 'secret'] as const) {
    const p = tokenProblem(body[field]);
    if (p) out.push(v(`/${field}`, p));
  }
  const ip = issuerProblem(body.issuerUri);
  if (ip) out.push(v('/issuerUri', ip));
  return out;
}

function tokenProblem(x: unknown): string | null {
  if (typeof x !== 'string') return 'is required and must be a string';
  if (x.length === 0) return 'must not be empty';
  if (/\s/.test(x)) return 'must not contain white space';
  if (x.length > MAX_FIELD_LENGTH) return `must be at most ${MAX_FIELD_LENGTH} characters`;
  return null;
}

function issuerProblem(x: unknown): string | null {
  if (typeof x !== 'string') return 'is required and must be a string';
  if (x.length === 0) return 'must not be empty';
  if (x.length > MAX_FIELD_LENGTH) return `must be at most ${MAX_FIELD_LENGTH} characters`;
  if (/\s/.test(x)) return 'must not contain white space';
  let url: URL;
  try {
    url = new URL(x);
  } catch {
    return 'must be an https URL';
  }
  if (url.protocol !== 'https:') return 'must be an https URL';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (x.includes('?') || x.includes('#')) return 'must not contain a query or fragment';
  return null;
}
