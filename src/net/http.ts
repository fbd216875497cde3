import type HttpModule from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type HttpsModule from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { readCapped } from '../read-capped.js';
import { type HttpTransport, isNodeTransport, type NodeTransport } from './dispatcher.js';

// See dispatcher.ts: an ES module import of node:http would load Node's bundled undici.
const http = process.getBuiltinModule('node:http') as typeof HttpModule;
const https = process.getBuiltinModule('node:https') as typeof HttpsModule;

export interface HttpGetOptions {
  /** Our keep-alive transport (createDispatcher), or any undici dispatcher (loaded only then). */
  dispatcher: HttpTransport;
  /** Budget for the whole exchange: headers and body. */
  timeoutMs: number;
  /** Stop reading the body here (the connection is destroyed); `truncated` tells. */
  maxBytes: number;
  signal?: AbortSignal;
  method?: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** At most maxBytes bytes. */
  body: Buffer;
  /** The server had more to send than maxBytes. */
  truncated: boolean;
  durationMs: number;
}

/** The server accepted the connection but did not answer (headers or body) within the budget. */
export class HttpTimeoutError extends Error {
  override readonly name = 'HttpTimeoutError';
  readonly code = 'HTTP_TIMEOUT';
  readonly phase: 'headers' | 'body';
  readonly timeoutMs: number;
  constructor(phase: 'headers' | 'body', timeoutMs: number, options?: { cause?: unknown }) {
    super(
      phase === 'headers'
        ? `no HTTP answer within ${timeoutMs} ms`
        : `the response body did not finish within ${timeoutMs} ms`,
      options,
    );
    this.phase = phase;
    this.timeoutMs = timeoutMs;
  }
}

export function isHttpTimeout(err: unknown): err is HttpTimeoutError {
  return err instanceof HttpTimeoutError;
}

const UNDICI_TIMEOUTS: Record<string, 'headers' | 'body'> = {
  UND_ERR_HEADERS_TIMEOUT: 'headers',
  UND_ERR_BODY_TIMEOUT: 'body',
};

/**
 * One HTTP exchange over `dispatcher` (undici `request`). Never follows redirects: a 3xx comes back
 * as is. Reads at most `maxBytes` of the body, then destroys the stream, so an endless or huge body
 * costs no more than the cap. Times out after `timeoutMs` overall (HttpTimeoutError); connect and
 * TLS failures are thrown as undici/Node errors (see mapNetError). `opts.signal` aborts early.
 */
export async function httpGet(url: string, opts: HttpGetOptions): Promise<HttpResponse> {
  const started = performance.now();
  const timer = new AbortController();
  let phase: 'headers' | 'body' = 'headers';
  const timeout = setTimeout(() => timer.abort(new HttpTimeoutError(phase, opts.timeoutMs)), opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timer.signal]) : timer.signal;
  const translate = (err: unknown): unknown => {
    if (timer.signal.aborted) return timer.signal.reason;
    const code = (err as { code?: unknown } | null)?.code;
    const undiciPhase = typeof code === 'string' ? UNDICI_TIMEOUTS[code] : undefined;
    if (undiciPhase) return new HttpTimeoutError(undiciPhase, opts.timeoutMs, { cause: err });
    if (opts.signal?.aborted) return opts.signal.reason ?? err;
    return err;
  };
  try {
    let res: { statusCode: number; headers: IncomingHttpHeaders; body: Readable };
    try {
      const transport = opts.dispatcher;
      if (isNodeTransport(transport)) {
        res = await nodeRequest(url, transport, opts, signal);
      } else {
        // Only callers that bring their own undici dispatcher load undici.
        const { request } = await import('undici');
        const r = await request(url, {
          dispatcher: transport,
          method: opts.method ?? 'GET',
          headers: opts.headers ?? {},
          body: opts.body ?? null,
          headersTimeout: opts.timeoutMs,
          bodyTimeout: opts.timeoutMs,
          signal,
        });
        res = { statusCode: r.statusCode, headers: r.headers as IncomingHttpHeaders, body: r.body };
      }
    } catch (err) {
      throw translate(err);
    }
    phase = 'body';
    let body: Buffer;
    let truncated: boolean;
    try {
      ({ bytes: body, truncated } = await readCapped(
        res.body as AsyncIterable<Buffer>,
        opts.maxBytes,
        'truncate',
      ));
    } catch (err) {
      throw translate(err);
    } finally {
      // Leaving the loop early destroys the stream; make sure of it on every path.
      if (!res.body.destroyed) res.body.destroy();
    }
    return {
      status: res.statusCode,
      headers: res.headers,
      body,
      truncated,
      durationMs: performance.now() - started,
    };
  } finally {
    clearTimeout(timeout);
  }
}

/** One request over Node's http/https and our keep-alive agents; resolves at the response headers. */
function nodeRequest(
  url: string,
  transport: NodeTransport,
  opts: HttpGetOptions,
  signal: AbortSignal,
): Promise<{ statusCode: number; headers: IncomingHttpHeaders; body: Readable }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const secure = u.protocol === 'https:';
    const req = (secure ? https : http).request(u, {
      agent: secure ? transport.https : transport.http,
      method: opts.method ?? 'GET',
      headers: opts.headers ?? {},
      signal,
    });
    req.once('error', reject);
    req.once('response', (res) => {
      req.off('error', reject);
      // Errors after this point surface on the body stream, where httpGet reads.
      req.on('error', (err) => res.destroy(err));
      resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res });
    });
    req.end(opts.body ?? undefined);
  });
}

/** A header's single value (the first when repeated). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** A printable excerpt of a body: whitespace collapsed, at most `max` characters. */
export function snippet(body: Buffer, max = 120): string {
  const text = body
    .subarray(0, max * 4)
    .toString('utf8')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
