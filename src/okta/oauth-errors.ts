/**
 * Reading OAuth/OIDC error answers the way Okta and other providers give them:
 * - RFC 6749 JSON `{"error": "...", "error_description": "..."}`;
 * - Okta's own API error JSON `{"errorCode", "errorSummary", "errorId", "errorCauses": [{errorSummary}]}`;
 * - an RFC 6750 / RFC 7235 challenge `WWW-Authenticate: Basic realm="...", error="invalid_client"`;
 * - an HTML error page naming the error (Okta: "Error Code: invalid_request" + "Description: ...");
 * - a redirect back to the client with `error=` in the query or fragment.
 * Every string taken from an answer is escaped (escapeControl): it is untrusted and ends up in messages.
 * Pure functions: no I/O.
 */
import { retryAfterMs } from '../retry-after.js';
import { escapeControl } from '../text/escape.js';

export type OAuthErrorSource = 'json' | 'okta' | 'www-authenticate' | 'html' | 'redirect';

export interface OAuthError {
  /** The error name as sent: an OAuth name like `invalid_client`, or an Okta code like `E0000047`. */
  error: string;
  description?: string;
  source: OAuthErrorSource;
  /** Okta's errorId (a request id for support), when present. */
  errorId?: string;
}

/** Header map as undici returns it. */
export type HeaderMap = Record<string, string | string[] | undefined>;

/** OAuth error names registered for the token and authorization endpoints (RFC 6749, OIDC Core, RFC 9126). */
export const KNOWN_OAUTH_ERRORS: readonly string[] = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
  'unsupported_response_type',
  'server_error',
  'temporarily_unavailable',
  'invalid_redirect_uri',
  'interaction_required',
  'login_required',
  'account_selection_required',
  'consent_required',
  'invalid_request_uri',
  'invalid_request_object',
  'request_not_supported',
  'request_uri_not_supported',
  'registration_not_supported',
  'invalid_token',
  'insufficient_scope',
];

const MAX_DESCRIPTION = 300;

/** True for an OAuth-style error name (lower case, underscores), false for Okta's `E0000047` codes. */
export function isOAuthErrorName(name: string): boolean {
  return /^[a-z][a-z0-9_]*$/.test(name);
}

/** First value of a header, case-insensitively. */
export function header(headers: HeaderMap, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== lower || v === undefined) continue;
    return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

function allHeaderValues(headers: HeaderMap, name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== lower || v === undefined) continue;
    out.push(...(Array.isArray(v) ? v : [v]));
  }
  return out;
}

/** One line of at most MAX_DESCRIPTION characters, control characters escaped. */
function clip(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const t = s.replace(/[ \t\n\r\f\v]+/g, ' ').trim();
  if (t === '') return undefined;
  return cutEscaped(escapeControl(t), MAX_DESCRIPTION);
}

/** An error name or id: short, control characters escaped. */
function name(s: string): string {
  return cutEscaped(escapeControl(s), 80);
}

/**
 * At most `max` characters of already escaped text: cut after escaping, since an escape is up to six
 * characters long, and never inside an escape (\xNN, \uNNNN) or a surrogate pair.
 */
function cutEscaped(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s
    .slice(0, max - 1)
    .replace(/\\(?:x[0-9a-f]?|u[0-9a-f]{0,3})?$/, '')
    .replace(/[\ud800-\udbff]$/, '');
  return `${cut}…`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Parse a JSON error body: RFC 6749 form first, then Okta's errorCode form. */
export function parseJsonError(text: string): OAuthError | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const o = doc as Record<string, unknown>;
  const error = str(o.error);
  if (error !== undefined) {
    const out: OAuthError = { error: name(error), source: 'json' };
    const description = clip(str(o.error_description));
    if (description !== undefined) out.description = description;
    return out;
  }
  const errorCode = str(o.errorCode);
  if (errorCode !== undefined) {
    const out: OAuthError = { error: name(errorCode), source: 'okta' };
    const causes = Array.isArray(o.errorCauses)
      ? o.errorCauses
          .map((c) =>
            typeof c === 'object' && c !== null
              ? str((c as Record<string, unknown>).errorSummary)
              : undefined,
          )
          .filter((c): c is string => c !== undefined)
      : [];
    const summary = [str(o.errorSummary), ...causes].filter((s) => s !== undefined).join(' ');
    const description = clip(summary);
    if (description !== undefined) out.description = description;
    const errorId = str(o.errorId);
    if (errorId !== undefined) out.errorId = name(errorId);
    return out;
  }
  return undefined;
}

/** Parse auth-params of one or more `WWW-Authenticate` challenges; returns the first `error=`. */
export function parseWwwAuthenticate(value: string | string[] | undefined): OAuthError | undefined {
  if (value === undefined) return undefined;
  for (const v of Array.isArray(value) ? value : [value]) {
    const params = parseAuthParams(v);
    const error = params.get('error');
    if (error !== undefined && error !== '') {
      const out: OAuthError = { error: name(error), source: 'www-authenticate' };
      const description = clip(params.get('error_description'));
      if (description !== undefined) out.description = description;
      return out;
    }
  }
  return undefined;
}

/** auth-param pairs (`name=token` or `name="quoted \"string\""`) anywhere in a challenge list. */
function parseAuthParams(value: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (const m of value.matchAll(re)) {
    const name = (m[1] ?? '').toLowerCase();
    const raw = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
    if (!out.has(name)) out.set(name, raw);
  }
  return out;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ent: string) => {
    if (ent[0] === '#') {
      const cp =
        ent[1] === 'x' || ent[1] === 'X'
          ? Number.parseInt(ent.slice(2), 16)
          : Number.parseInt(ent.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return ENTITIES[ent.toLowerCase()] ?? whole;
  });
}

const BLOCK_TAGS =
  /<\/?(?:p|div|h[1-6]|li|ul|ol|br|hr|tr|td|th|table|title|section|article|header|footer|main|pre|blockquote|dd|dt|form|label|button|a)\b[^>]*>/gi;

/**
 * The visible text of an HTML page, one line per block: scripts, styles and comments removed, tags
 * stripped, entities decoded, spaces collapsed within each line, empty lines dropped.
 */
export function htmlText(html: string): string {
  const noScripts = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, ' ');
  // Inline tags vanish without a space, as a browser renders them: "<em>wrong</em>." is "wrong.".
  return decodeEntities(noScripts.replace(BLOCK_TAGS, '\n').replace(/<[^>]*>/g, ''))
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l !== '')
    .join('\n');
}

/** An error name as a page shows it: an OAuth name (`invalid_request`) or an Okta code (`E0000015`). */
const ERROR_NAME = /^(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|E\d{7})$/;

/**
 * Parse an HTML error page from its visible text, not its markup: Okta's page shows "Error Code:" and
 * the value, and "Description:" and the text, but the label and the value may sit in separate elements
 * (nested spans, one block each), so the label is matched across line breaks and the value is the next
 * word after it. Falls back to any registered OAuth error name in the text (localized labels).
 */
export function parseHtmlError(html: string): OAuthError | undefined {
  const lines = htmlText(html).split('\n');
  const flat = lines.join('\n');
  let described: string | undefined;
  for (const [i, line] of lines.entries()) {
    const m = /^(?:error\s+)?description\s*:?\s*(.*)$/i.exec(line);
    if (m === null) continue;
    const rest = m[1] ?? '';
    // "Description" alone on its line: the text is the next block.
    if (rest !== '' && /:/.test(line)) described = rest;
    else if (rest === '' && lines[i + 1] !== undefined) described = lines[i + 1];
    else continue;
    break;
  }
  const labelled = /\berror[ _-]?code\s*(:)?\s*([A-Za-z0-9_]+)/i.exec(flat);
  if (labelled?.[2] !== undefined && (labelled[1] === ':' || ERROR_NAME.test(labelled[2]))) {
    const out: OAuthError = { error: name(labelled[2]), source: 'html' };
    const description = clip(described);
    if (description !== undefined) out.description = description;
    return out;
  }
  const known = new RegExp(`(?:^|[^a-z0-9_])(${KNOWN_OAUTH_ERRORS.join('|')})(?![a-z0-9_])`, 'i');
  for (const [i, line] of lines.entries()) {
    const m = known.exec(line);
    if (m?.[1] === undefined) continue;
    const out: OAuthError = { error: m[1].toLowerCase(), source: 'html' };
    const rest = line.slice(m.index + m[0].length).replace(/^[\s:.\-–—]+/, '');
    const description = clip(described ?? (rest !== '' ? rest : lines[i + 1]));
    if (description !== undefined) out.description = description;
    return out;
  }
  return undefined;
}

function contentType(headers: HeaderMap): string {
  return (header(headers, 'content-type') ?? '').toLowerCase();
}

/** Parse an error body by its content type (JSON, HTML), trying JSON for untyped bodies. */
export function parseErrorBody(body: string | Buffer, headers: HeaderMap = {}): OAuthError | undefined {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') return undefined;
  const ct = contentType(headers);
  const looksJson = /^\s*[{[]/.test(text);
  if (ct.includes('json') || looksJson) {
    const j = parseJsonError(text);
    if (j !== undefined) return j;
  }
  if (ct.includes('html') || /^\s*</.test(text)) return parseHtmlError(text);
  return undefined;
}

/**
 * The error an HTTP answer carries: the body first (it is the richer source), else the
 * `WWW-Authenticate` challenge. A challenge's description fills in a body that has none.
 */
export function parseErrorResponse(res: {
  headers: HeaderMap;
  body: string | Buffer;
}): OAuthError | undefined {
  const fromBody = parseErrorBody(res.body, res.headers);
  const fromHeader = parseWwwAuthenticate(allHeaderValues(res.headers, 'www-authenticate'));
  if (fromBody === undefined) return fromHeader;
  if (fromBody.description === undefined && fromHeader?.error === fromBody.error && fromHeader.description) {
    return { ...fromBody, description: fromHeader.description };
  }
  return fromBody;
}

/** The error in a redirect back to the client: `error=` in the query, or in the fragment (implicit/hybrid). */
export function parseRedirectError(location: URL): OAuthError | undefined {
  const sources = [location.searchParams, new URLSearchParams(location.hash.replace(/^#/, ''))];
  for (const params of sources) {
    const error = params.get('error');
    if (error !== null && error !== '') {
      const out: OAuthError = { error: name(error), source: 'redirect' };
      const description = clip(params.get('error_description') ?? undefined);
      if (description !== undefined) out.description = description;
      return out;
    }
  }
  return undefined;
}

/** "invalid_client (client authentication failed)" — for details. */
export function describeError(e: OAuthError): string {
  return e.description !== undefined ? `${e.error} (${e.description})` : e.error;
}

/** Okta's unknown-client answer names the client_id parameter; oidc-provider's authorize page says "client is invalid". */
export function namesUnknownClient(e: OAuthError): boolean {
  if (e.error.toLowerCase() !== 'invalid_client') return false;
  const d = e.description ?? '';
  // Okta's wrong-secret text ("The client secret supplied for a confidential client is invalid.") is not one.
  if (/secret|credential|assertion/i.test(d)) return false;
  return /client_id|^client is invalid|unknown client|client not found|no such client|client does not exist/i.test(
    d,
  );
}

/** Okta's E0000015 summary and its authorize page's sentence for an org without API Access Management. */
const FEATURE_NOT_ENABLED =
  /you do not have permission to access the feature you are requesting|the requested feature is not enabled in this environment/i;

/**
 * The answer says the org lacks the feature behind this URL: Okta's `E0000015` (discovery, token) or
 * the authorization page's "The requested feature is not enabled in this environment." For an
 * `/oauth2/{id}` issuer that means no API Access Management: only the org authorization server exists.
 */
export function namesFeatureNotEnabled(
  e: OAuthError | undefined,
  res?: { headers: HeaderMap; body: string | Buffer },
): boolean {
  if (e !== undefined && (e.error === 'E0000015' || FEATURE_NOT_ENABLED.test(e.description ?? '')))
    return true;
  if (res === undefined) return false;
  const text = typeof res.body === 'string' ? res.body : res.body.toString('utf8');
  return FEATURE_NOT_ENABLED.test(
    /html/i.test(contentType(res.headers)) || /^\s*</.test(text) ? htmlText(text) : text,
  );
}

/** The error is about the redirect URI (oidc-provider's invalid_redirect_uri, Okta's "must be a Login redirect URI"). */
export function namesRedirectUri(e: OAuthError): boolean {
  if (e.error.toLowerCase() === 'invalid_redirect_uri') return true;
  return /redirect_uri|redirect uri|redirect url|login redirect/i.test(e.description ?? '');
}

/**
 * When a rate-limited answer says to retry: Okta's `X-Rate-Limit-Reset` (epoch seconds) first,
 * then a standard `Retry-After` (seconds or an HTTP date). Undefined when neither is usable.
 */
export function retryAt(headers: HeaderMap, now: Date): Date | undefined {
  const reset = header(headers, 'x-rate-limit-reset');
  if (reset !== undefined && /^\s*\d+\s*$/.test(reset)) {
    const at = new Date(Number(reset) * 1000);
    return at.getTime() < now.getTime() ? now : at;
  }
  const wait = retryAfterMs(header(headers, 'retry-after'), now.getTime());
  return wait === undefined ? undefined : new Date(now.getTime() + wait);
}

/** "retry after 2026-11-29T10:41:40Z (in 60 s)" or a generic hint. */
export function retryHint(headers: HeaderMap, now: Date): string {
  const at = retryAt(headers, now);
  if (at === undefined) return 'retry in a minute (the answer named no reset time)';
  const secs = Math.max(0, Math.ceil((at.getTime() - now.getTime()) / 1000));
  return `retry after ${at.toISOString().replace(/\.\d{3}Z$/, 'Z')} (in ${secs} s)`;
}
