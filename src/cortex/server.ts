/**
 * A reference implementation of the Cortex-like OpenID connector API (docs/api.md), on node:http
 * only. It is the sandbox the tests, the demo and CI talk to: real HTTP, real auth, real ETags, a
 * real discovery fetch for /validate, state persisted atomically to a JSON file.
 *
 * It stores the client secret (that is the server's job) but never returns or logs it.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { Agent, request } from 'undici';
import {
  type ApiErrorBody,
  type ApiErrorType,
  CONNECTOR_PATH,
  CONNECTOR_VALIDATE_PATH,
  type Connector,
  type ConnectorType,
  etagForVersion,
  type FieldError,
  lastFourOf,
  MAX_BODY_BYTES,
  type ProblemBody,
  type ValidationResult,
  validateConnectorInput,
} from './types.js';

export interface ApiServerOptions {
  /** Bearer tokens with full access. */
  tokens: string[];
  /** Bearer tokens that may read and validate but get 403 on PUT/DELETE. */
  readOnlyTokens?: string[];
  /** JSON state file (0600, written atomically). In memory when absent. */
  dataFile?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Extra trusted roots (PEM) for the /validate discovery fetch, added to Node's public roots. */
  ca?: string[];
  /** Timeout of the /validate discovery fetch. Default 5000 ms. */
  validateTimeoutMs?: number;
  /** Access log: one line per request (method, path, status, request id). Never bodies or tokens. */
  log?: (line: string) => void;
  /** Clock for updatedAt. */
  now?: () => Date;
  /**
   * Test seam: awaited before each request is handled, so a test can act "meanwhile" (another
   * admin's change, an outage) at an exact point of a client's sequence.
   */
  beforeHandle?: (request: RecordedRequest) => void | Promise<void>;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Request headers; authorization is redacted. */
  headers: Record<string, string>;
  requestId: string;
  /** Set when the response has been sent. */
  status?: number;
}

export type FailureStatus = 429 | 503 | 502 | 504;

export interface ApiServer {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /**
   * Answer the next `n` requests (any route, before auth) with `status`: 429 and 503 as
   * application/problem+json, 502 and 504 as an HTML page like a load balancer's. 429 always
   * carries Retry-After (default 1 s); the others only when `retryAfterSeconds` is given.
   */
  failNext(n: number, status: FailureStatus, retryAfterSeconds?: number): void;
  /** The current connector as the API would show it (no secret), or null. */
  connector(): Connector | null;
  close(): Promise<void>;
}

interface StoredConnector {
  type: ConnectorType;
  clientId: string;
  clientSecret: string;
  issuer: string;
  updatedAt: string;
  version: number;
}

interface State {
  /** Highest version ever issued, kept across deletes so an old ETag never matches a new connector. */
  lastVersion: number;
  connector: StoredConnector | null;
}

const DATA_FORMAT = 1;
const DISCOVERY_MAX_BYTES = 1024 * 1024;

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const fullTokens = (opts.tokens ?? []).map(digest);
  const readTokens = (opts.readOnlyTokens ?? []).map(digest);
  if (fullTokens.length + readTokens.length === 0)
    throw new Error('startApiServer: at least one token is required');
  if ([...opts.tokens, ...(opts.readOnlyTokens ?? [])].some((t) => t.length === 0)) {
    throw new Error('startApiServer: tokens must not be empty');
  }
  const now = opts.now ?? (() => new Date());
  const validateTimeoutMs = opts.validateTimeoutMs ?? 5000;
  const dataFile = opts.dataFile;
  let state: State = dataFile ? await loadState(dataFile) : { lastVersion: 0, connector: null };

  const agent = new Agent({
    connect: {
      ...(opts.ca && opts.ca.length > 0 ? { ca: [...rootCertificates, ...opts.ca] } : {}),
      timeout: validateTimeoutMs,
    },
    headersTimeout: validateTimeoutMs,
    bodyTimeout: validateTimeoutMs,
  });

  const requests: RecordedRequest[] = [];
  const failures: Array<{ status: FailureStatus; retryAfter: number | undefined }> = [];

  // Mutations run one at a time: check preconditions, change, persist, answer.
  let queue: Promise<unknown> = Promise.resolve();
  function locked<T>(fn: () => Promise<T>): Promise<T> {
    const p = queue.then(fn);
    queue = p.catch(() => undefined);
    return p;
  }

  async function persist(next: State): Promise<void> {
    if (dataFile)
      await writeAtomic(dataFile, `${JSON.stringify({ format: DATA_FORMAT, ...next }, null, 2)}\n`);
    state = next;
  }

  function authenticate(header: string | undefined): 'full' | 'read' | null {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
    if (!m?.[1]) return null;
    const d = digest(m[1]);
    // Compare against every token without early exit: no timing hint about which one matched.
    let full = false;
    let read = false;
    for (const t of fullTokens) full = timingSafeEqual(t, d) || full;
    for (const t of readTokens) read = timingSafeEqual(t, d) || read;
    return full ? 'full' : read ? 'read' : null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;

    const failure = failures.shift();
    if (failure) return sendFailure(res, failure.status, failure.retryAfter, requestId);

    const role = authenticate(req.headers.authorization);
    if (!role) {
      res.setHeader('www-authenticate', 'Bearer realm="cortex"');
      return sendError(res, 401, 'UNAUTHORIZED', 'Missing or invalid API token', requestId);
    }

    if (path === CONNECTOR_PATH) {
      if (method === 'GET') {
        const c = state.connector;
        if (!c) return sendError(res, 404, 'NOT_FOUND', 'No OpenID connector is configured', requestId);
        return sendConnector(res, c);
      }
      if (method === 'PUT' || method === 'DELETE') {
        if (role !== 'full') {
          return sendError(
            res,
            403,
            'FORBIDDEN',
            'Missing permission: Configure OpenID Connector & SCIM',
            requestId,
          );
        }
        if (method === 'PUT') {
          const body = await readJson(req, res, requestId);
          if (body === undefined) return;
          const errors = validateConnectorInput(body);
          if (errors.length > 0)
            return sendError(res, 400, 'BAD_REQUEST', 'Invalid connector', requestId, errors);
          const input = body as {
            type: ConnectorType;
            clientId: string;
            clientSecret: string;
            issuer: string;
          };
          return locked(async () => {
            const why = preconditionFailure(req, state.connector);
            if (why) return sendError(res, 412, 'PRECONDITION_FAILED', why, requestId);
            const version = state.lastVersion + 1;
            const connector: StoredConnector = {
              type: input.type,
              clientId: input.clientId,
              clientSecret: input.clientSecret,
              issuer: input.issuer,
              updatedAt: now().toISOString(),
              version,
            };
            await persist({ lastVersion: version, connector });
            sendConnector(res, connector);
          });
        }
        return locked(async () => {
          const current = state.connector;
          if (!current)
            return sendError(res, 404, 'NOT_FOUND', 'No OpenID connector is configured', requestId);
          const why = preconditionFailure(req, current);
          if (why) return sendError(res, 412, 'PRECONDITION_FAILED', why, requestId);
          await persist({ lastVersion: state.lastVersion, connector: null });
          res.statusCode = 204;
          res.end();
        });
      }
      res.setHeader('allow', 'GET, PUT, DELETE');
      return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here`, requestId);
    }

    if (path === CONNECTOR_VALIDATE_PATH) {
      if (method !== 'POST') {
        res.setHeader('allow', 'POST');
        return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here`, requestId);
      }
      const body = await readJson(req, res, requestId);
      if (body === undefined) return;
      const errors = validateConnectorInput(body);
      if (errors.length > 0)
        return sendError(res, 400, 'BAD_REQUEST', 'Invalid connector', requestId, errors);
      const result = await checkDiscovery((body as { issuer: string }).issuer, agent, validateTimeoutMs);
      return sendJson(res, 200, result);
    }

    return sendError(res, 404, 'NOT_FOUND', `No route for ${method} ${path}`, requestId);
  }

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    res.setHeader('x-request-id', requestId);
    res.setHeader('cache-control', 'no-store');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', 'http://localhost').pathname,
      headers: redactHeaders(req),
      requestId,
    };
    requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
      opts.log?.(`${record.method} ${record.path} ${res.statusCode} ${requestId}`);
    });
    Promise.resolve(opts.beforeHandle?.(record))
      .then(() => handle(req, res, requestId))
      .catch(() => {
        // Never echo internal errors (they could quote input); the request id ties it to the log.
        if (!res.headersSent) sendError(res, 500, 'INTERNAL_ERROR', 'Internal error', requestId);
        else res.destroy();
      });
  });
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const hostForUrl = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  return {
    url: `http://${hostForUrl}:${addr.port}`,
    port: addr.port,
    requests,
    failNext(n, status, retryAfterSeconds) {
      for (let i = 0; i < n; i++) failures.push({ status, retryAfter: retryAfterSeconds });
    },
    connector: () => (state.connector ? publicView(state.connector) : null),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await agent.close();
    },
  };
}

// ── responses ─────────────────────────────────────────────────────────────────

function publicView(c: StoredConnector): Connector {
  return {
    type: c.type,
    clientId: c.clientId,
    clientSecretLastFour: lastFourOf(c.clientSecret),
    issuer: c.issuer,
    updatedAt: c.updatedAt,
    version: c.version,
  };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', `${contentType}; charset=utf-8`);
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

function sendConnector(res: ServerResponse, c: StoredConnector): void {
  res.setHeader('etag', etagForVersion(c.version));
  sendJson(res, 200, publicView(c));
}

function sendError(
  res: ServerResponse,
  status: number,
  type: ApiErrorType,
  message: string,
  requestId: string,
  details: FieldError[] | null = null,
): void {
  const body: ApiErrorBody = { message, type, details, requestId, httpStatus: status };
  sendJson(res, status, body);
}

const GATEWAY_TITLES: Record<number, string> = { 502: 'Bad Gateway', 504: 'Gateway Timeout' };

function sendFailure(
  res: ServerResponse,
  status: FailureStatus,
  retryAfter: number | undefined,
  requestId: string,
) {
  if (status === 429 || retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter ?? 1));
  if (status === 429 || status === 503) {
    const body: ProblemBody = {
      type: 'about:blank',
      title: status === 429 ? 'Too Many Requests' : 'Service Unavailable',
      status,
      detail:
        status === 429
          ? 'Rate limit exceeded: 1000 requests per minute'
          : 'The service is temporarily unavailable',
      requestId,
    };
    return sendJson(res, status, body, 'application/problem+json');
  }
  const title = `${status} ${GATEWAY_TITLES[status]}`;
  const html = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
  res.statusCode = status;
  res.setHeader('content-type', 'text/html');
  res.end(html);
}

// ── requests ──────────────────────────────────────────────────────────────────

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function redactHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  if (out.authorization !== undefined) {
    out.authorization = /^bearer\s/i.test(out.authorization) ? 'Bearer [redacted]' : '[redacted]';
  }
  return out;
}

/** Reads and parses a JSON body; on failure sends 400/413 and returns undefined. */
async function readJson(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<unknown> {
  const raw = await readBody(req);
  if (raw === null) {
    res.setHeader('connection', 'close');
    sendError(res, 413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${MAX_BODY_BYTES} bytes`, requestId);
    return undefined;
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    sendError(res, 400, 'BAD_REQUEST', 'Request body is not valid JSON', requestId);
    return undefined;
  }
}

/** The body, or null when it exceeds MAX_BODY_BYTES (the rest is drained, not buffered). */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      req.resume();
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        done = true;
        chunks.length = 0;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    req.on('error', (err) => {
      if (!done) {
        done = true;
        reject(err);
      }
    });
  });
}

/** null when the If-Match / If-None-Match preconditions hold, else why they fail. */
function preconditionFailure(req: IncomingMessage, current: StoredConnector | null): string | null {
  const ifMatch = req.headers['if-match'];
  const ifNoneMatch = req.headers['if-none-match'];
  const currentTag = current ? etagForVersion(current.version) : null;
  if (ifMatch !== undefined) {
    if (!current || !currentTag) return 'If-Match was given but no connector exists';
    const tags = ifMatch.split(',').map((t) => t.trim());
    if (!tags.includes('*') && !tags.includes(currentTag)) {
      return `The connector has changed: If-Match ${ifMatch.trim()} does not match the current ETag ${currentTag}`;
    }
  }
  if (ifNoneMatch !== undefined && currentTag) {
    const tags = ifNoneMatch.split(',').map((t) => t.trim());
    if (tags.includes('*') || tags.includes(currentTag)) return 'A connector already exists (If-None-Match)';
  }
  return null;
}

// ── persistence ───────────────────────────────────────────────────────────────

async function loadState(file: string): Promise<State> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lastVersion: 0, connector: null };
    throw err;
  }
  const data = JSON.parse(text) as Partial<State> & { format?: number };
  if (data.format !== DATA_FORMAT || typeof data.lastVersion !== 'number' || data.connector === undefined) {
    throw new Error(`startApiServer: ${file} is not a reference API data file`);
  }
  return { lastVersion: data.lastVersion, connector: data.connector };
}

/** Write to a temp file in the same directory, fsync, rename over the target, fsync the directory. */
async function writeAtomic(file: string, text: string): Promise<void> {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Directory fsync is not supported everywhere (Windows); the rename is still atomic.
  }
}

// ── /validate: the discovery fetch, from the server's side ───────────────────

async function checkDiscovery(
  issuer: string,
  dispatcher: Agent,
  timeoutMs: number,
): Promise<ValidationResult> {
  const url = `${issuer}/.well-known/openid-configuration`;
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, {
      method: 'GET',
      dispatcher,
      headers: { accept: 'application/json', 'user-agent': 'cortex-reference-api' },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { isValid: false, message: `Could not fetch ${url}: ${describeNetError(err, timeoutMs)}` };
  }
  if (res.statusCode !== 200) {
    await res.body.dump().catch(() => undefined);
    const location = res.headers.location;
    if (res.statusCode >= 300 && res.statusCode < 400 && location) {
      return {
        isValid: false,
        message: `${url} answered HTTP ${res.statusCode} redirecting to ${String(location)}; discovery does not follow redirects`,
      };
    }
    return { isValid: false, message: `${url} answered HTTP ${res.statusCode}, expected 200` };
  }
  let text: string;
  try {
    text = await readCapped(res.body, DISCOVERY_MAX_BYTES);
  } catch (err) {
    return { isValid: false, message: `Could not read ${url}: ${describeNetError(err, timeoutMs)}` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return {
      isValid: false,
      message: `${url} did not answer JSON (content-type ${String(res.headers['content-type'])})`,
    };
  }
  if (typeof doc !== 'object' || doc === null || typeof (doc as { issuer?: unknown }).issuer !== 'string') {
    return { isValid: false, message: `The discovery document at ${url} has no "issuer"` };
  }
  const found = (doc as { issuer: string }).issuer;
  if (found !== issuer) {
    return {
      isValid: false,
      message: `Issuer mismatch: the discovery document names "${found}", the connector says "${issuer}"; they must be equal exactly`,
    };
  }
  return { isValid: true, message: `The discovery document at ${url} names the issuer exactly` };
}

async function readCapped(body: AsyncIterable<Buffer>, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) throw Object.assign(new Error(`body exceeds ${max} bytes`), { code: 'TOO_LARGE' });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeNetError(err: unknown, timeoutMs: number): string {
  const e = err as {
    name?: string;
    code?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (e?.name === 'TimeoutError' || /TIMEOUT/.test(e?.code ?? '')) return `timed out after ${timeoutMs} ms`;
  const code = e?.cause?.code ?? e?.code;
  const message = e?.cause?.message ?? e?.message ?? String(err);
  return code ? `${code} (${message})` : message;
}
