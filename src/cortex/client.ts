/**
 * Client for Cortex's SSO API, on the routes Cortex's own CLI calls (src/cortex/types.ts,
 * docs/api.md): list the configurations, create an OIDC connection, delete one connection by id.
 * It never calls "delete all".
 *
 * undici `request` with a timeout per try that covers headers AND body (a slow or endless answer
 * ends at the timeout), a size cap on every body, retries with exponential backoff + jitter that
 * honour Retry-After inside a total wait budget, and every failure mapped to a CortexSsoError with
 * a code from src/codes.ts.
 *
 * Answers are untrusted input: redirects are never followed (the API key would travel to another
 * origin), HTML or a wrongly shaped 200 is an error naming the API URL, and any text quoted from an
 * answer has its control characters escaped and the API key and client secret scrubbed.
 */
import { type Dispatcher, request } from 'undici';
import type { Code } from '../codes.js';
import { CortexSsoError } from '../errors.js';
import { readCapped } from '../read-capped.js';
import { retryAfterMs } from '../retry-after.js';
import type { Secret } from '../secret.js';
import { escapeControl } from '../text/escape.js';
import {
  type ConnectionType,
  configurationPath,
  OIDC_AUTH_TYPE,
  OIDC_CONFIGURATIONS_PATH,
  type OidcConnection,
  type OidcConnectionWire,
  parseCortexError,
  parseOidcConnection,
  parseSsoListing,
  parseViolations,
  SSO_CONFIGURATIONS_PATH,
  type SsoListing,
  type Violation,
} from './types.js';

export interface CortexClientOptions {
  /** e.g. https://api.getcortexapp.com (a path prefix is kept). http only for loopback hosts. */
  baseUrl: string;
  token: Secret;
  /** undici dispatcher (proxy). Default: undici's global dispatcher. */
  dispatcher?: Dispatcher;
  /** Per try: connect + headers + the whole body. Default 10 000 ms. */
  timeoutMs?: number;
  /** Tries in total, including the first. Default 3. */
  maxTries?: number;
  /** Total time the client may sleep between tries. Default 20 000 ms. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Default `cortex-sso`. */
  userAgent?: string;
  /** For jitter; default Math.random. */
  random?: () => number;
  /** For Retry-After HTTP dates; default Date.now. */
  now?: () => number;
  /** Largest answer body read. Default 4 MiB. */
  maxResponseBytes?: number;
}

/** A new OIDC connection, as the commands hold it (the secret stays a Secret until the wire). */
export interface OidcConnectionInput {
  connectionType: ConnectionType;
  clientId: string;
  clientSecret: Secret;
  issuer: string;
}

export interface CortexClient {
  readonly baseUrl: string;
  /** GET /api/v1/sso/configurations, read tolerantly. A 404 means a wrong URL, never "none". */
  listConfigurations(): Promise<SsoListing>;
  /**
   * POST /api/v1/sso/oidc/configurations. Resolves to the created entry when the answer carries
   * one, else null (the caller reads the list back either way). Never retried after the request
   * may have reached the server, except on 429 (which means it was not processed).
   */
  createOidcConnection(input: OidcConnectionInput): Promise<OidcConnection | null>;
  /** DELETE /api/v1/sso/configurations/{id}: 'not-found' when the API says no such connection. */
  deleteConnection(connectionId: string): Promise<'deleted' | 'not-found'>;
}

/** A failed API call. Still a CortexSsoError; the extra fields help --json output and support. */
export class CortexApiError extends CortexSsoError {
  /** HTTP status, or undefined for network failures. */
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly violations: Violation[];
  /** Tries made, including the first. */
  readonly tries: number;
  /**
   * false when the request certainly changed nothing (refused before sending, 4xx, 429);
   * true when a write may have reached the server (a timeout or reset mid-request, a 5xx).
   */
  readonly mayHaveApplied: boolean;

  constructor(
    code: Code,
    message: string,
    info: {
      status?: number;
      requestId?: string;
      violations?: Violation[];
      tries: number;
      detail?: string;
      cause?: unknown;
      mayHaveApplied?: boolean;
    },
  ) {
    super(code, message, { detail: info.detail, cause: info.cause });
    this.status = info.status;
    this.requestId = info.requestId;
    this.violations = info.violations ?? [];
    this.tries = info.tries;
    this.mayHaveApplied = info.mayHaveApplied ?? false;
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_TRIES = 3;
const DEFAULT_MAX_WAIT_MS = 20_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;
const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Network errors where the request certainly never reached the server: safe to retry any method. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);
/** Errors no retry will fix. */
const PERMANENT_CODES = new Set(['ENOTFOUND', 'RESPONSE_TOO_LARGE']);

interface Call {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  /** Safe to repeat after a 5xx or a network failure mid-request. */
  idempotent: boolean;
  /** "Listing the SSO configurations" — the start of every message about this call. */
  what: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body when it is JSON; undefined otherwise. */
  json: unknown;
  /** The content type said JSON (or the body looked like it) but it did not parse. */
  badJson: boolean;
}

interface Final extends Answer {
  tries: number;
  /** Why retrying stopped before maxTries, if it did. */
  gaveUp?: string | undefined;
}

const RETRY_STATUSES = new Set([502, 503, 504]);

export function createCortexClient(opts: CortexClientOptions): CortexClient {
  const base = parseBaseUrl(opts.baseUrl);
  const token = opts.token;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxTries = Math.max(1, opts.maxTries ?? DEFAULT_MAX_TRIES);
  const maxWaitMs = Math.max(0, opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const userAgent = opts.userAgent ?? 'cortex-sso';
  /** Secrets this client has sent; scrubbed from anything quoted back. */
  const secrets: Secret[] = [token];

  /** Quotes network text safely: no secret we sent, no control characters. */
  const quote = (s: string): string => {
    let out = s;
    for (const secret of secrets) {
      const t = secret.reveal();
      if (t.length > 0) out = out.split(t).join(secret.masked);
    }
    return escapeControl(out);
  };

  async function once(call: Call): Promise<Answer> {
    const { body, statusCode, headers } = await request(`${base}${call.path}`, {
      method: call.method,
      ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
      headers: {
        authorization: `Bearer ${token.reveal()}`,
        accept: 'application/json',
        'user-agent': userAgent,
        ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: call.body === undefined ? null : JSON.stringify(call.body),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      // Covers the whole try, body included: an answer that drips forever still ends here.
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await readBody(body, maxBytes);
    const type = String(headers['content-type'] ?? '');
    let json: unknown;
    let badJson = false;
    const claimsJson = /[/+]json\b/i.test(type);
    if (text.trim().length > 0 && (claimsJson || (!/html/i.test(type) && /^\s*[[{]/.test(text)))) {
      try {
        json = JSON.parse(text);
      } catch {
        badJson = true;
      }
    }
    return { status: statusCode, headers, text, json, badJson };
  }

  /**
   * Runs a call with retries. Returns the final answer (any status, with the number of tries and
   * why retrying stopped early) or throws API_UNAVAILABLE when the last try failed on the network.
   */
  async function send(c: Call): Promise<Final> {
    let waited = 0;
    for (let tries = 1; ; tries++) {
      let answer: Answer | undefined;
      let failure: unknown;
      try {
        answer = await once(c);
      } catch (err) {
        failure = err;
      }
      const stop = (gaveUp?: string): Final => {
        if (answer) return { ...answer, tries, gaveUp };
        throw networkError(c, failure, tries, timeoutMs, base, quote, gaveUp);
      };

      const retryable = answer
        ? answer.status === 429 || (c.idempotent && RETRY_STATUSES.has(answer.status))
        : isRetryableNetworkError(failure, c.idempotent);
      if (!retryable || tries >= maxTries) return stop();

      const remaining = maxWaitMs - waited;
      const retryAfter = answer ? retryAfterMs(answer.headers['retry-after'], now()) : undefined;
      let wait: number;
      if (retryAfter !== undefined) {
        if (retryAfter > remaining) {
          return stop(
            `Retry-After asked for ${Math.ceil(retryAfter / 1000)} s, beyond the retry budget (${maxWaitMs} ms)`,
          );
        }
        wait = retryAfter;
      } else {
        if (remaining <= 0) return stop(`the retry budget (${maxWaitMs} ms) is spent`);
        const exp = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (tries - 1));
        wait = Math.min(remaining, Math.round(exp / 2 + (random() * exp) / 2));
      }
      waited += wait;
      await sleep(wait);
    }
  }

  const fail = (c: Call, a: Final): never => {
    throw httpError(c, a, base, quote);
  };

  return {
    baseUrl: base,

    async listConfigurations() {
      const c: Call = {
        method: 'GET',
        path: SSO_CONFIGURATIONS_PATH,
        idempotent: true,
        what: 'Listing the SSO configurations',
      };
      const a = await send(c);
      if (a.status !== 200) fail(c, a);
      const listing = a.json === undefined ? null : parseSsoListing(a.json);
      if (!listing) throw badAnswer(c, a, base, quote, 'a list of SSO configurations');
      return listing;
    },

    async createOidcConnection(input) {
      secrets.push(input.clientSecret);
      const wire: OidcConnectionWire = {
        type: OIDC_AUTH_TYPE,
        id: input.clientId,
        secret: input.clientSecret.reveal(),
        issuerUri: input.issuer,
        connectionType: input.connectionType,
      };
      const c: Call = {
        method: 'POST',
        path: OIDC_CONFIGURATIONS_PATH,
        body: wire,
        idempotent: false,
        what: 'Creating the OIDC connection',
      };
      const a = await send(c);
      if (a.status < 200 || a.status > 299) fail(c, a);
      if (a.badJson) throw badAnswer(c, a, base, quote, 'JSON', true);
      if (a.json === undefined && a.text.trim() !== '' && /html/i.test(String(a.headers['content-type']))) {
        // A 2xx HTML page is a portal or a web app, not Cortex: it may or may not have applied.
        throw badAnswer(c, a, base, quote, 'JSON', true);
      }
      return parseOidcConnection(a.json);
    },

    async deleteConnection(connectionId) {
      const c: Call = {
        method: 'DELETE',
        path: configurationPath(connectionId),
        idempotent: true,
        what: `Deleting SSO connection ${quote(connectionId)}`,
      };
      const a = await send(c);
      // A JSON 404 from the route we just listed from means "no such connection"; an HTML one
      // means the route or URL is wrong.
      if (a.status === 404 && parseCortexError(a.json)) return 'not-found';
      if (a.status < 200 || a.status > 299) fail(c, a);
      return 'deleted';
    },
  };
}

// ── helpers ───────────────────────────────────────────────────────────────────

function parseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CortexSsoError('INPUT_INVALID', `The Cortex API URL is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.username || url.password) {
    throw new CortexSsoError('INPUT_INVALID', 'The Cortex API URL must not contain credentials');
  }
  if (url.search || url.hash) {
    throw new CortexSsoError('INPUT_INVALID', 'The Cortex API URL must not contain a query or fragment');
  }
  const loopback = LOOPBACK.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new CortexSsoError(
      'INPUT_INVALID',
      `The Cortex API URL must be https (plain http only for localhost): ${url.origin}`,
      { detail: 'The API key would travel unencrypted.' },
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

async function readBody(
  body: AsyncIterable<Buffer> & { destroy?: () => void },
  max: number,
): Promise<string> {
  const { bytes } = await readCapped(body, max, () =>
    Object.assign(new Error(`response body exceeds ${max} bytes`), { code: 'RESPONSE_TOO_LARGE' }),
  );
  return bytes.toString('utf8');
}

function errCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const c = e?.code ?? e?.cause?.code;
  return typeof c === 'string' ? c : undefined;
}

function isTimeout(err: unknown): boolean {
  const e = err as { name?: string } | undefined;
  const code = errCode(err) ?? '';
  return (
    e?.name === 'TimeoutError' ||
    e?.name === 'AbortError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_ABORTED'
  );
}

function isRetryableNetworkError(err: unknown, idempotent: boolean): boolean {
  const code = errCode(err);
  if (code && PERMANENT_CODES.has(code)) return false;
  if (code && NOT_SENT_CODES.has(code)) return true;
  return idempotent;
}

function triesText(tries: number): string {
  return tries > 1 ? ` after ${tries} tries` : '';
}

function networkError(
  c: Call,
  err: unknown,
  tries: number,
  timeoutMs: number,
  base: string,
  quote: (s: string) => string,
  reason?: string,
): CortexApiError {
  const code = errCode(err);
  const mayHaveApplied = c.method !== 'GET' && !(code && NOT_SENT_CODES.has(code));
  if (code === 'RESPONSE_TOO_LARGE') {
    return new CortexApiError(
      'API_BAD_ANSWER',
      `${c.what} failed: the answer from ${base} was larger than the limit; is the API URL right?`,
      { tries, mayHaveApplied },
    );
  }
  const what = isTimeout(err)
    ? `no complete answer within ${timeoutMs} ms`
    : `${code ?? 'network error'}${(err as Error)?.message ? ` (${(err as Error).message})` : ''}`;
  return new CortexApiError(
    'API_UNAVAILABLE',
    quote(`${c.what} at ${base} failed: ${what}${triesText(tries)}`),
    {
      tries,
      ...(reason ? { detail: quote(reason) } : {}),
      cause: err,
      mayHaveApplied,
    },
  );
}

function requestIdOf(a: Answer, parsed: { requestId?: string } | null): string | undefined {
  const header = a.headers['x-request-id'];
  return parsed?.requestId ?? (typeof header === 'string' ? header : undefined);
}

function contentTypeOf(a: Answer): string {
  return (
    String(a.headers['content-type'] ?? 'no content type')
      .split(';')[0]
      ?.trim() || 'no content type'
  );
}

/** A 2xx whose body is not what the route returns: the URL points at something that is not Cortex. */
function badAnswer(
  c: Call,
  a: Final,
  base: string,
  quote: (s: string) => string,
  expected: string,
  mayHaveApplied = false,
): CortexApiError {
  const got = a.badJson
    ? 'truncated or invalid JSON'
    : a.json !== undefined
      ? 'JSON of another shape'
      : a.text.trim() === ''
        ? 'an empty body'
        : `a ${contentTypeOf(a)} body`;
  return new CortexApiError(
    'API_BAD_ANSWER',
    quote(
      `${c.what}: the API at ${base} answered HTTP ${a.status} with ${got}, not ${expected}. Is the API URL right?`,
    ),
    { status: a.status, tries: a.tries, mayHaveApplied },
  );
}

function statusCode(status: number): Code {
  if (status === 400 || status === 422) return 'API_BAD_REQUEST';
  if (status === 401) return 'API_UNAUTHORIZED';
  if (status === 403) return 'API_FORBIDDEN';
  if (status === 404 || status === 405) return 'API_NOT_FOUND';
  if (status === 409) return 'API_CONFLICT';
  if (status === 429) return 'API_RATE_LIMITED';
  if (status >= 500) return 'API_UNAVAILABLE';
  return 'API_ERROR';
}

function httpError(c: Call, a: Final, base: string, quote: (s: string) => string): CortexApiError {
  const tries = a.tries;
  const parsed = parseCortexError(a.json);
  const violations = parseViolations(a.json).map((v) => ({
    title: quote(v.title),
    description: quote(v.description),
    violationType: quote(v.violationType),
    pointer: quote(v.pointer),
  }));
  const requestId = requestIdOf(a, parsed);
  const mayHaveApplied = c.method !== 'GET' && a.status >= 500;
  const where = `${c.method} ${base}${c.path}`;

  if (a.status >= 300 && a.status < 400) {
    const location = headerString(a.headers.location);
    return new CortexApiError(
      'API_BAD_ANSWER',
      quote(
        `${c.what}: ${where} answered with a redirect${location ? ` to ${stripQuery(location)}` : ''}; it was not followed (the API key never leaves for another address). Is the API URL right?`,
      ),
      { status: a.status, tries },
    );
  }

  let said: string;
  if (parsed) said = parsed.details ? `${parsed.message}: ${parsed.details}` : parsed.message;
  else if (violations.length > 0) said = 'the values were refused';
  // `null` is JSON too: an answer of `null` must not make this line throw.
  else if (typeof (a.json as { error?: unknown } | null | undefined)?.error === 'string')
    said = String((a.json as { error: string }).error);
  else said = `a ${contentTypeOf(a)} answer`;

  // 404/405 is API_NOT_FOUND (statusCode): never "no connector", the list route answers 200 on a real workspace.
  const code = statusCode(a.status);
  let message: string;
  if (a.status === 404 || a.status === 405) {
    message = `${c.what}: ${where} answered HTTP ${a.status} (${said}). The API URL or route is wrong: Cortex serves this route at its API base URL (default https://api.getcortexapp.com).`;
  } else {
    message = `${c.what} failed: HTTP ${a.status}: ${said}${triesText(tries)}${
      requestId ? ` (requestId ${requestId})` : ''
    }`;
  }
  const detailLines = [
    ...violations.map((v) => `${v.pointer || v.title}: ${v.description || v.title}`),
    ...(a.gaveUp ? [`Gave up: ${a.gaveUp}`] : []),
  ];
  return new CortexApiError(code, quote(message), {
    status: a.status,
    ...(requestId ? { requestId: quote(requestId) } : {}),
    violations,
    tries,
    ...(detailLines.length > 0 ? { detail: detailLines.join('\n') } : {}),
    mayHaveApplied,
  });
}

function headerString(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function stripQuery(location: string): string {
  return location.replace(/[?#].*$/, '');
}
