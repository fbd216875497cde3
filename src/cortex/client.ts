/**
 * Client for the Cortex-like OpenID connector API (docs/api.md). undici `request` with a timeout
 * per try, retries with exponential backoff + jitter that honour Retry-After inside a total wait
 * budget, and every failure mapped to a CortexSsoError with a code from src/codes.ts.
 *
 * The API token leaves this module only in the Authorization header: it is scrubbed from every
 * message built from a server answer, and redirects are never followed.
 */
import { type Dispatcher, request } from 'undici';
import type { Code } from '../codes.js';
import { CortexSsoError } from '../errors.js';
import type { Secret } from '../secret.js';
import {
  CONNECTOR_PATH,
  CONNECTOR_VALIDATE_PATH,
  type Connector,
  type ConnectorType,
  etagForVersion,
  type FieldError,
  isValidationResult,
  parseConnector,
  type ValidationResult,
} from './types.js';

export interface CortexClientOptions {
  /** e.g. https://api.getcortexapp.com (a path prefix is kept). http only for loopback hosts. */
  baseUrl: string;
  token: Secret;
  /** undici dispatcher (CA file, proxy). Default: undici's global dispatcher. */
  dispatcher?: Dispatcher;
  /** Per try: connect + headers + body. Default 10 000 ms. */
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
}

export interface ConnectorWrite {
  type: ConnectorType;
  clientId: string;
  clientSecret: Secret;
  issuer: string;
}

export interface ConnectorWithEtag {
  connector: Connector;
  etag: string;
}

export interface CortexClient {
  readonly baseUrl: string;
  /** null when no connector is configured (404 NOT_FOUND). */
  getConnector(): Promise<ConnectorWithEtag | null>;
  /** `ifMatch`: an ETag from getConnector, or `*` (must exist). Stale -> API_CONFLICT. */
  putConnector(body: ConnectorWrite, opts?: { ifMatch?: string }): Promise<ConnectorWithEtag>;
  /** Cortex fetches the issuer's discovery document from its side and reports what it saw. */
  validateConnector(body: ConnectorWrite): Promise<ValidationResult>;
  /** false when there was no connector. */
  deleteConnector(opts?: { ifMatch?: string }): Promise<boolean>;
}

/** A failed API call. Still a CortexSsoError; the extra fields help --json output and support. */
export class CortexApiError extends CortexSsoError {
  /** HTTP status, or undefined for network failures. */
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly fieldErrors: FieldError[];
  /** Tries made, including the first. */
  readonly tries: number;

  constructor(
    code: Code,
    message: string,
    info: {
      status?: number;
      requestId?: string;
      fieldErrors?: FieldError[];
      tries: number;
      detail?: string;
      cause?: unknown;
    },
  ) {
    super(code, message, { detail: info.detail, cause: info.cause });
    this.status = info.status;
    this.requestId = info.requestId;
    this.fieldErrors = info.fieldErrors ?? [];
    this.tries = info.tries;
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_TRIES = 3;
const DEFAULT_MAX_WAIT_MS = 20_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
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
const PERMANENT_CODES = new Set(['ENOTFOUND']);

interface Call {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Safe to repeat after a 5xx or a network failure mid-request. */
  idempotent: boolean;
  what: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
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
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const userAgent = opts.userAgent ?? 'cortex-sso';

  /** Removes the token from any text that came back from the network. */
  const scrub = (s: string): string => {
    const t = token.reveal();
    return t.length > 0 ? s.split(t).join(token.masked) : s;
  };

  async function once(call: Call): Promise<Answer> {
    const { body, statusCode, headers } = await request(`${base}${call.path}`, {
      method: call.method,
      dispatcher: opts.dispatcher,
      headers: {
        authorization: `Bearer ${token.reveal()}`,
        accept: 'application/json',
        'user-agent': userAgent,
        ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...call.headers,
      },
      body: call.body === undefined ? null : JSON.stringify(call.body),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await readCapped(body, MAX_RESPONSE_BYTES);
    let json: unknown;
    const type = String(headers['content-type'] ?? '');
    if (/[/+]json\b/i.test(type) && text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: statusCode, headers, text, json };
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
        throw networkError(c, failure, tries, timeoutMs, scrub, gaveUp);
      };

      const retryable = answer
        ? answer.status === 429 || (c.idempotent && RETRY_STATUSES.has(answer.status))
        : isRetryableNetworkError(failure, c.idempotent);
      if (!retryable || tries >= maxTries) return stop();

      const remaining = maxWaitMs - waited;
      const retryAfter = answer ? parseRetryAfter(answer.headers['retry-after'], now()) : undefined;
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
    throw httpError(c, a, scrub);
  };

  const client: CortexClient = {
    baseUrl: base,

    async getConnector() {
      const c: Call = {
        method: 'GET',
        path: CONNECTOR_PATH,
        idempotent: true,
        what: 'Reading the OpenID connector',
      };
      const a = await send(c);
      if (a.status === 404 && isNotFoundBody(a.json)) return null;
      if (a.status !== 200) fail(c, a);
      return withEtag(c, a, scrub);
    },

    async putConnector(body, putOpts) {
      const ifMatch = putOpts?.ifMatch;
      const c: Call = {
        method: 'PUT',
        path: CONNECTOR_PATH,
        body: wireBody(body),
        headers: ifMatch !== undefined ? { 'if-match': ifMatch } : {},
        idempotent: ifMatch !== undefined,
        what: 'Saving the OpenID connector',
      };
      const a = await send(c);
      if (a.status < 200 || a.status > 299) fail(c, a);
      // 200/201 with the connector is the contract; an implementation answering 204 (or a body
      // without it) is read back, so the caller always sees what is live.
      if (parseConnector(a.json)) return withEtag(c, a, scrub);
      const live = await client.getConnector();
      if (!live) throw unexpected(c, a, scrub);
      return live;
    },

    async validateConnector(body) {
      const c: Call = {
        method: 'POST',
        path: CONNECTOR_VALIDATE_PATH,
        body: wireBody(body),
        idempotent: true,
        what: 'Validating the OpenID connector',
      };
      const a = await send(c);
      if (a.status < 200 || a.status > 299) fail(c, a);
      if (!isValidationResult(a.json)) throw unexpected(c, a, scrub);
      return { isValid: a.json.isValid, message: scrub(a.json.message) };
    },

    async deleteConnector(delOpts) {
      const ifMatch = delOpts?.ifMatch;
      const c: Call = {
        method: 'DELETE',
        path: CONNECTOR_PATH,
        headers: ifMatch !== undefined ? { 'if-match': ifMatch } : {},
        idempotent: true,
        what: 'Deleting the OpenID connector',
      };
      const a = await send(c);
      if (a.status === 404 && isNotFoundBody(a.json)) return false;
      if (a.status < 200 || a.status > 299) fail(c, a);
      return true;
    },
  };
  return client;
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
  const loopback = LOOPBACK.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new CortexSsoError(
      'INPUT_INVALID',
      `The Cortex API URL must be https (plain http only for localhost): ${url.origin}`,
      { detail: 'The API token would travel unencrypted.' },
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function wireBody(b: ConnectorWrite): Record<string, string> {
  return { type: b.type, clientId: b.clientId, clientSecret: b.clientSecret.reveal(), issuer: b.issuer };
}

function withEtag(c: Call, a: Final, scrub: (s: string) => string): ConnectorWithEtag {
  const connector = parseConnector(a.json);
  if (!connector) throw unexpected(c, a, scrub);
  const header = a.headers.etag;
  // No ETag header and no version: send no If-Match rather than a made-up one.
  const etag =
    typeof header === 'string' && header.length > 0
      ? header
      : connector.version > 0
        ? etagForVersion(connector.version)
        : '';
  return { connector, etag };
}

async function readCapped(
  body: AsyncIterable<Buffer> & { destroy?: () => void },
  max: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy?.();
      throw Object.assign(new Error(`response body exceeds ${max} bytes`), { code: 'RESPONSE_TOO_LARGE' });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Retry-After in ms: delta-seconds or an HTTP date. undefined when absent or unparsable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

function errCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const c = e?.code ?? e?.cause?.code;
  return typeof c === 'string' ? c : undefined;
}

function isTimeout(err: unknown): boolean {
  const e = err as { name?: string } | undefined;
  const code = errCode(err) ?? '';
  return e?.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}

function isRetryableNetworkError(err: unknown, idempotent: boolean): boolean {
  const code = errCode(err);
  if (code === 'RESPONSE_TOO_LARGE') return false;
  if (code && PERMANENT_CODES.has(code)) return false;
  if (code && NOT_SENT_CODES.has(code)) return true;
  return idempotent;
}

function networkError(
  c: Call,
  err: unknown,
  tries: number,
  timeoutMs: number,
  scrub: (s: string) => string,
  reason?: string,
): CortexApiError {
  const code = errCode(err);
  if (code === 'RESPONSE_TOO_LARGE') {
    return new CortexApiError('API_ERROR', `${c.what} failed: the API answer was larger than 4 MiB`, {
      tries,
    });
  }
  const what = isTimeout(err)
    ? `no answer within ${timeoutMs} ms`
    : `${code ?? 'network error'}${(err as Error)?.message ? ` (${(err as Error).message})` : ''}`;
  return new CortexApiError('API_UNAVAILABLE', scrub(`${c.what} failed: ${what}${triesText(tries)}`), {
    tries,
    detail: reason ? scrub(reason) : undefined,
    cause: err,
  });
}

function triesText(tries: number): string {
  return tries > 1 ? ` after ${tries} tries` : '';
}

function isApiError(
  v: unknown,
): v is { message: string; type: string; details?: unknown; requestId?: string } {
  return typeof v === 'object' && v !== null && typeof (v as { message?: unknown }).message === 'string';
}

/**
 * A 404 that means "no connector": the contract's NOT_FOUND error, or any JSON error object from an
 * implementation that words it differently. An HTML or other non-JSON 404 means a wrong API URL.
 */
function isNotFoundBody(v: unknown): boolean {
  if (isApiError(v) && typeof v.type === 'string') return v.type === 'NOT_FOUND';
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function statusCode(status: number): Code {
  if (status === 400) return 'API_BAD_REQUEST';
  if (status === 401) return 'API_UNAUTHORIZED';
  if (status === 403) return 'API_FORBIDDEN';
  if (status === 404) return 'API_NOT_FOUND';
  if (status === 409 || status === 412) return 'API_CONFLICT';
  if (status === 429) return 'API_RATE_LIMITED';
  if (status >= 500) return 'API_UNAVAILABLE';
  return 'API_ERROR';
}

function httpError(c: Call, a: Final, scrub: (s: string) => string): CortexApiError {
  const tries = a.tries;
  const j = a.json as Record<string, unknown> | undefined;
  const headerId = a.headers['x-request-id'];
  const requestId =
    (typeof j?.requestId === 'string' ? j.requestId : undefined) ??
    (typeof headerId === 'string' ? headerId : undefined);
  let apiMessage: string;
  if (isApiError(j)) apiMessage = j.message;
  else if (typeof j?.detail === 'string')
    apiMessage = j.detail; // problem+json
  else if (typeof j?.title === 'string') apiMessage = j.title;
  else {
    const type = String(a.headers['content-type'] ?? 'no content-type').split(';')[0];
    apiMessage = `a non-JSON ${type} answer${a.status === 404 ? ' (is the API URL right?)' : ''}`;
  }
  if (a.status >= 300 && a.status < 400) {
    apiMessage = `redirect to ${String(a.headers.location ?? '?')} (not followed; check the API URL)`;
  }
  const fieldErrors: FieldError[] = Array.isArray(j?.details)
    ? (j.details as unknown[]).flatMap((d) => {
        const f = d as Partial<FieldError>;
        return typeof f?.field === 'string' && typeof f.message === 'string'
          ? [{ field: scrub(f.field), message: scrub(f.message) }]
          : [];
      })
    : [];
  const code = a.status === 404 && !isApiError(j) ? 'API_ERROR' : statusCode(a.status);
  const message = `${c.what} failed: HTTP ${a.status}: ${apiMessage}${triesText(tries)}${
    requestId ? ` (requestId ${requestId})` : ''
  }`;
  const detailLines = [
    ...fieldErrors.map((f) => `${f.field}: ${f.message}`),
    ...(a.gaveUp ? [`Gave up: ${a.gaveUp}`] : []),
  ];
  return new CortexApiError(code, scrub(message), {
    status: a.status,
    requestId,
    fieldErrors,
    tries,
    detail: detailLines.length > 0 ? scrub(detailLines.join('\n')) : undefined,
  });
}

function unexpected(c: Call, a: Final, scrub: (s: string) => string): CortexApiError {
  const headerId = a.headers['x-request-id'];
  const requestId = typeof headerId === 'string' ? headerId : undefined;
  return new CortexApiError(
    'API_ERROR',
    scrub(
      `${c.what}: the API answered HTTP ${a.status} with an unexpected body${requestId ? ` (requestId ${requestId})` : ''}`,
    ),
    { status: a.status, requestId, tries: a.tries },
  );
}
