/**
 * The reference Cortex SSO API (docs/api.md): the routes Cortex's own CLI calls (cortexapps/cli
 * `cortexapps_cli/commands/sso.py`, commit 8e94fbf), on node:http only. It is the sandbox the tests,
 * the demo and CI talk to: real HTTP, real bearer auth, Cortex's error and violation bodies, state
 * optionally persisted atomically to a JSON file.
 *
 * What Cortex does not make public is an option here, so a client can be tested against each
 * reading: the list's shape (`listShape`), whether POST adds or replaces (`postMode`), and what POST
 * answers (`postAnswer`).
 *
 * It stores the client secret (that is the server's job) but never returns, logs or records it;
 * tests prove what was pushed with `secretMatches`.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join } from 'node:path';
import {
  type CortexErrorBody,
  MAX_BODY_BYTES,
  OIDC_CONFIGURATIONS_PATH,
  type OidcConnectionWire,
  parseOidcConnection,
  SSO_CONFIGURATIONS_PATH,
  type ViolationsBody,
  validateOidcWire,
} from '../cortex/types.js';

/** One configuration as the list shows it: an OIDC entry, or any other kind (SAML) kept as given. */
export type ConfigurationEntry = { connectionId: string } & Record<string, unknown>;

/** A seeded entry; an OIDC one may carry `secret` (stored, never shown) so secretMatches works. */
export type SeedEntry = ConfigurationEntry;

export interface CortexApiOptions {
  /** Bearer keys with full access. */
  tokens: string[];
  /** Bearer keys that may only GET; POST and DELETE answer 403. */
  readOnlyTokens?: string[];
  /** JSON state file (0600, written atomically). In memory when absent. */
  dataFile?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** `object` (default): `{"configurations":[...]}`; `array`: a bare array. */
  listShape?: 'object' | 'array';
  /**
   * `add` (default): POST appends a connection. `replace`: POST first removes every OIDC entry of
   * the same connectionType. Cortex's real behaviour is not public.
   */
  postMode?: 'add' | 'replace';
  /** `entry` (default): POST answers 200 with the created entry; `empty`: 204 without a body. */
  postAnswer?: 'entry' | 'empty';
  /** Entries to start with when there is no state yet (no data file, or a missing one). */
  seed?: SeedEntry[];
  /** Access log: one line per request (method, path, status, request id). Never bodies or keys. */
  log?: (line: string) => void;
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
  /** The query string without `?`; '' when none. */
  query: string;
  /** Request headers; authorization is redacted. Bodies are never recorded. */
  headers: Record<string, string>;
  requestId: string;
  /** Set when the response has been sent. */
  status?: number;
}

export type FailureStatus = 429 | 500 | 502 | 503 | 504;

export interface FailureOptions {
  /** Retry-After in seconds: always sent with 429 (default 1), with the others only when given. */
  retryAfterSeconds?: number;
  /** Only requests with this method (case-insensitive) fail. */
  method?: string;
  /** Only requests whose path starts with this fail. */
  path?: string;
}

export interface CortexApi {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /**
   * Answer the next `n` matching requests (before auth) with `status`: 429, 500 and 503 with
   * Cortex's JSON error body, 502 and 504 with an HTML page like a load balancer's.
   */
  failNext(n: number, status: FailureStatus, opts?: FailureOptions): void;
  /** The current list as GET shows it (no secrets), whatever `listShape`. */
  configurations(): ConfigurationEntry[];
  /** True when `connectionId` exists and its stored secret equals `candidate` (constant time). */
  secretMatches(connectionId: string, candidate: string): boolean;
  /** How many `DELETE /api/v1/sso/configurations` ("delete all") requests arrived, answered or not. */
  deleteAllCalls(): number;
  close(): Promise<void>;
}

/** Every `type` the server puts in an error body (docs/api.md lists them). */
export const ERROR_TYPES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'PAYLOAD_TOO_LARGE',
  'TOO_MANY_REQUESTS',
  'INTERNAL_SERVER_ERROR',
  'SERVICE_UNAVAILABLE',
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

/** Version of the data file's layout. */
export const DATA_FORMAT = 1;

interface State {
  /** Next number for `oidc-<n>`; never reused, even after a delete. */
  nextId: number;
  /** Entries in list order; an OIDC entry's `secret` is stored here and stripped from every view. */
  configurations: ConfigurationEntry[];
}

const PERMISSION = 'Configure OpenID Connector & SCIM';

export async function startCortexApi(opts: CortexApiOptions): Promise<CortexApi> {
  const allKeys = [...(opts.tokens ?? []), ...(opts.readOnlyTokens ?? [])];
  if (allKeys.length === 0) throw new Error('startCortexApi: at least one API key is required');
  if (allKeys.some((t) => typeof t !== 'string' || t.length === 0)) {
    throw new Error('startCortexApi: API keys must not be empty');
  }
  const fullKeys = (opts.tokens ?? []).map(digest);
  const readKeys = (opts.readOnlyTokens ?? []).map(digest);
  const listShape = opts.listShape ?? 'object';
  const postMode = opts.postMode ?? 'add';
  const postAnswer = opts.postAnswer ?? 'entry';
  const dataFile = opts.dataFile;

  let state: State = (dataFile ? await loadState(dataFile) : null) ?? seedState(opts.seed ?? []);

  const requests: RecordedRequest[] = [];
  const failures: Array<{ status: FailureStatus; opts: FailureOptions }> = [];

  // Mutations run one at a time: read the state, change, persist, answer.
  let queue: Promise<unknown> = Promise.resolve();
  function locked<T>(fn: () => Promise<T>): Promise<T> {
    const p = queue.then(fn);
    queue = p.catch(() => undefined);
    return p;
  }

  async function persist(next: State): Promise<void> {
    if (dataFile) {
      await writeAtomic(dataFile, `${JSON.stringify({ format: DATA_FORMAT, ...next }, null, 2)}\n`);
    }
    state = next;
  }

  function authenticate(header: string | undefined): 'full' | 'read' | null {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
    if (!m?.[1]) return null;
    const d = digest(m[1]);
    // Compare against every key without early exit: no timing hint about which one matched.
    let full = false;
    let read = false;
    for (const t of fullKeys) full = timingSafeEqual(t, d) || full;
    for (const t of readKeys) read = timingSafeEqual(t, d) || read;
    return full ? 'full' : read ? 'read' : null;
  }

  function takeFailure(method: string, path: string) {
    const i = failures.findIndex(
      (f) =>
        (f.opts.method === undefined || f.opts.method.toUpperCase() === method.toUpperCase()) &&
        (f.opts.path === undefined || path.startsWith(f.opts.path)),
    );
    return i < 0 ? undefined : failures.splice(i, 1)[0];
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    requestId: string,
  ): Promise<void> {
    const failure = takeFailure(method, path);
    if (failure) return sendFailure(res, failure.status, failure.opts.retryAfterSeconds, requestId);

    const role = authenticate(req.headers.authorization);
    if (!role) {
      res.setHeader('www-authenticate', 'Bearer realm="cortex"');
      return sendError(res, 401, 'UNAUTHORIZED', 'Unauthorized', 'Missing or invalid API key', requestId);
    }
    const forbidden = () =>
      sendError(
        res,
        403,
        'FORBIDDEN',
        'Forbidden',
        `This API key lacks the permission "${PERMISSION}"`,
        requestId,
      );

    if (path === SSO_CONFIGURATIONS_PATH) {
      if (method === 'GET') {
        const list = publicList(state);
        return sendJson(res, 200, listShape === 'array' ? list : { configurations: list });
      }
      if (method === 'DELETE') {
        if (role !== 'full') return forbidden();
        return locked(async () => {
          await persist({ nextId: state.nextId, configurations: [] });
          sendEmpty(res);
        });
      }
      return methodNotAllowed(res, method, 'GET, DELETE', requestId);
    }

    if (path === OIDC_CONFIGURATIONS_PATH) {
      if (method !== 'POST') return methodNotAllowed(res, method, 'POST', requestId);
      if (role !== 'full') return forbidden();
      const body = await readJson(req, res, requestId);
      if (body === undefined) return;
      const violations = validateOidcWire(body);
      if (violations.length > 0) {
        const answer: ViolationsBody = { violations };
        return sendJson(res, 400, answer);
      }
      const wire = body as OidcConnectionWire;
      return locked(async () => {
        let nextId = state.nextId;
        const taken = new Set(state.configurations.map((e) => e.connectionId));
        let connectionId = `oidc-${nextId++}`;
        while (taken.has(connectionId)) connectionId = `oidc-${nextId++}`;
        const entry: ConfigurationEntry = {
          connectionId,
          connectionType: wire.connectionType,
          type: wire.type,
          id: wire.id,
          issuerUri: wire.issuerUri,
          secret: wire.secret,
        };
        const kept =
          postMode === 'replace'
            ? state.configurations.filter((e) => !(isOidc(e) && e.connectionType === wire.connectionType))
            : state.configurations;
        await persist({ nextId, configurations: [...kept, entry] });
        if (postAnswer === 'empty') return sendEmpty(res);
        sendJson(res, 200, publicView(entry));
      });
    }

    if (path.startsWith(`${SSO_CONFIGURATIONS_PATH}/`)) {
      const rest = path.slice(SSO_CONFIGURATIONS_PATH.length + 1);
      if (rest !== '' && !rest.includes('/')) {
        if (method !== 'DELETE') return methodNotAllowed(res, method, 'DELETE', requestId);
        if (role !== 'full') return forbidden();
        let connectionId: string;
        try {
          connectionId = decodeURIComponent(rest);
        } catch {
          return notFound(res, `No SSO configuration with connectionId ${JSON.stringify(rest)}`, requestId);
        }
        return locked(async () => {
          if (!state.configurations.some((e) => e.connectionId === connectionId)) {
            return notFound(
              res,
              `No SSO configuration with connectionId ${JSON.stringify(connectionId)}`,
              requestId,
            );
          }
          await persist({
            nextId: state.nextId,
            configurations: state.configurations.filter((e) => e.connectionId !== connectionId),
          });
          sendEmpty(res);
        });
      }
    }

    return notFound(res, `No route for ${method} ${path}`, requestId);
  }

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    res.setHeader('x-request-id', requestId);
    res.setHeader('cache-control', 'no-store');
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      headers: redactHeaders(req),
      requestId,
    };
    requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
      opts.log?.(`${record.method} ${record.path} ${res.statusCode} ${requestId}`);
    });
    Promise.resolve(opts.beforeHandle?.(record))
      .then(() => handle(req, res, method, url.pathname, requestId))
      .catch(() => {
        // Never echo internal errors (they could quote input); the request id ties it to the log.
        if (!res.headersSent) {
          sendError(
            res,
            500,
            'INTERNAL_SERVER_ERROR',
            'Internal server error',
            JSON_FAILURES[500].details,
            requestId,
          );
        } else res.destroy();
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
    failNext(n, status, failOpts = {}) {
      for (let i = 0; i < n; i++) failures.push({ status, opts: { ...failOpts } });
    },
    configurations: () => publicList(state),
    secretMatches(connectionId, candidate) {
      const entry = state.configurations.find((e) => e.connectionId === connectionId);
      if (!entry || typeof entry.secret !== 'string') return false;
      return timingSafeEqual(digest(entry.secret), digest(candidate));
    },
    deleteAllCalls: () =>
      requests.filter((r) => r.method === 'DELETE' && r.path === SSO_CONFIGURATIONS_PATH).length,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

// ── state ─────────────────────────────────────────────────────────────────────

function isOidc(entry: ConfigurationEntry): boolean {
  return parseOidcConnection(entry) !== null;
}

/** An entry as the API shows it: every field but the secret, copied. */
function publicView(entry: ConfigurationEntry): ConfigurationEntry {
  const { secret: _secret, ...rest } = structuredClone(entry);
  return rest as ConfigurationEntry;
}

function publicList(state: State): ConfigurationEntry[] {
  return state.configurations.map(publicView);
}

function seedState(seed: SeedEntry[]): State {
  const configurations = checkEntries(seed, 'seed');
  return { nextId: 1, configurations: structuredClone(configurations) };
}

function checkEntries(entries: unknown, where: string): ConfigurationEntry[] {
  if (!Array.isArray(entries)) throw new Error(`startCortexApi: ${where}: configurations must be a list`);
  const ids = new Set<string>();
  for (const e of entries) {
    const id = (e as { connectionId?: unknown } | null)?.connectionId;
    if (typeof e !== 'object' || e === null || Array.isArray(e) || typeof id !== 'string' || id === '') {
      throw new Error(`startCortexApi: ${where}: every entry needs a non-empty string connectionId`);
    }
    if (ids.has(id)) throw new Error(`startCortexApi: ${where}: connectionId ${id} appears twice`);
    ids.add(id);
  }
  return entries as ConfigurationEntry[];
}

/** The saved state; null when the file does not exist (start from the seed). */
async function loadState(file: string): Promise<State | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const refuse = (why: string) =>
    new Error(`startCortexApi: ${file} is not a usable reference Cortex API data file: ${why}`);
  let data: { format?: unknown; nextId?: unknown; configurations?: unknown };
  try {
    data = JSON.parse(text);
  } catch {
    throw refuse('it is not valid JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw refuse('not a JSON object');
  if (data.format !== DATA_FORMAT) {
    throw refuse(`data format ${JSON.stringify(data.format)}, expected ${DATA_FORMAT}`);
  }
  if (typeof data.nextId !== 'number' || !Number.isInteger(data.nextId) || data.nextId < 1) {
    throw refuse('"nextId" must be a positive integer');
  }
  let configurations: ConfigurationEntry[];
  try {
    configurations = checkEntries(data.configurations, file);
  } catch (err) {
    throw refuse((err as Error).message.replace(/^startCortexApi: [^:]*: /, ''));
  }
  return { nextId: data.nextId, configurations };
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

// ── responses ─────────────────────────────────────────────────────────────────

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

function sendEmpty(res: ServerResponse): void {
  res.statusCode = 204;
  res.end();
}

function sendError(
  res: ServerResponse,
  status: number,
  type: ErrorType,
  message: string,
  details: string,
  requestId: string,
): void {
  const body: CortexErrorBody = { message, details, requestId, httpStatus: status, type };
  sendJson(res, status, body);
}

function notFound(res: ServerResponse, details: string, requestId: string): void {
  sendError(res, 404, 'NOT_FOUND', 'Not found', details, requestId);
}

function methodNotAllowed(res: ServerResponse, method: string, allow: string, requestId: string): void {
  res.setHeader('allow', allow);
  sendError(
    res,
    405,
    'METHOD_NOT_ALLOWED',
    'Method not allowed',
    `${method} is not allowed here; allowed: ${allow}`,
    requestId,
  );
}

const JSON_FAILURES: Record<429 | 500 | 503, { type: ErrorType; message: string; details: string }> = {
  429: {
    type: 'TOO_MANY_REQUESTS',
    message: 'Too many requests',
    details: 'Rate limit exceeded: 1000 requests per minute',
  },
  500: {
    type: 'INTERNAL_SERVER_ERROR',
    message: 'Internal server error',
    details: 'An unexpected error occurred',
  },
  503: {
    type: 'SERVICE_UNAVAILABLE',
    message: 'Service unavailable',
    details: 'The service is temporarily unavailable',
  },
};

const GATEWAY_TITLES: Record<502 | 504, string> = { 502: '502 Bad Gateway', 504: '504 Gateway Timeout' };

function sendFailure(
  res: ServerResponse,
  status: FailureStatus,
  retryAfter: number | undefined,
  requestId: string,
): void {
  if (status === 429 || retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter ?? 1));
  if (status === 502 || status === 504) {
    // What a load balancer in front of the API answers: HTML, no request id in the body.
    const title = GATEWAY_TITLES[status];
    const html = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
    res.statusCode = status;
    res.setHeader('content-type', 'text/html');
    res.end(html);
    return;
  }
  const f = JSON_FAILURES[status];
  sendError(res, status, f.type, f.message, f.details, requestId);
}

// ── requests ──────────────────────────────────────────────────────────────────

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
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
    sendError(
      res,
      413,
      'PAYLOAD_TOO_LARGE',
      'Payload too large',
      `The request body exceeds ${MAX_BODY_BYTES} bytes`,
      requestId,
    );
    return undefined;
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    // Never quote the body: it may carry the secret.
    sendError(res, 400, 'BAD_REQUEST', 'Malformed request', 'The request body is not valid JSON', requestId);
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
