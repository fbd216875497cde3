import { createHash } from 'node:crypto';
import type HttpModule from 'node:http';
import type HttpsModule from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Dispatcher } from 'undici';
import { openTcp } from './connect.js';
import { codedError, isUntrustedChain } from './errors.js';
import type { ProxyRoute } from './proxy.js';
import { caKey, secureContextFor } from './secure-context.js';

// Not `import http from 'node:http'`: an ES module import of node:http reads all its exports, and its
// lazy WebSocket getters load Node's bundled undici and http2 (about 70 more modules). getBuiltinModule
// returns the plain module.
const http = process.getBuiltinModule('node:http') as typeof HttpModule;
const https = process.getBuiltinModule('node:https') as typeof HttpsModule;

export interface DispatcherOptions {
  /** Trust anchors (PEM). Replaces Node's defaults: pass public + extra roots (TrustStore.all()). */
  ca: string[];
  /** Route through this HTTP proxy (CONNECT tunnel), or connect directly. */
  proxy: ProxyRoute | null;
  /** TCP connect timeout (to the host, or to the proxy and its answer to CONNECT). */
  connectTimeoutMs: number;
  /**
   * More roots, read only when a chain does not verify against `ca` for want of a trusted root
   * (the trust store's second stage: OS store, NODE_EXTRA_CA_CERTS). The handshake is then repeated.
   */
  moreCa?: () => readonly string[];
}

/**
 * The HTTP client of the checks: Node's own http/https with keep-alive agents, so one verified
 * connection carries discovery, JWKS and any later request to the same origin, and a run loads no
 * HTTP library (undici's hundred-odd modules and WASM parser were most of a run's start-up).
 * Connections go through openTcp (directly or through the CONNECT tunnel) and, for https, a TLS
 * handshake that must verify the chain against `ca` AND the host name (Node's defaults:
 * rejectUnauthorized, checkServerIdentity). A request never travels over an unverified connection.
 */
export interface NodeTransport {
  readonly kind: 'node-http';
  readonly https: HttpsModule.Agent;
  readonly http: HttpModule.Agent;
  readonly closed: boolean;
  /** Take a verified connection to host:port for the next https request there (NetContext.adopt). */
  adopt(host: string, port: number, socket: tls.TLSSocket): boolean;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

/** What httpGet sends requests over: our transport, or any undici dispatcher (tests, other callers). */
export type HttpTransport = NodeTransport | Dispatcher;

export function isNodeTransport(t: HttpTransport): t is NodeTransport {
  return (t as Partial<NodeTransport>).kind === 'node-http';
}

const cache = new Map<string, NodeTransport>();

function cacheKey(opts: DispatcherOptions): string {
  // The proxy URL may carry credentials: hash it too, so the key never holds them in clear.
  const proxy = opts.proxy ? createHash('sha256').update(opts.proxy.url).digest('hex') : 'direct';
  return `${proxy}|${caKey(opts.ca)}|${opts.connectTimeoutMs}|${opts.moreCa ? 'staged' : 'one'}`;
}

type Callback = ((err: Error | null, stream: Duplex) => void) | undefined;
type ConnectOptions = {
  host?: string | null;
  hostname?: string | null;
  port?: number | string | null;
  servername?: string;
};

function target(options: ConnectOptions): { host: string; port: number } {
  const host = String(options.host ?? options.hostname ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(options.port) };
}

function createTransport(opts: DispatcherOptions): NodeTransport {
  // One TLS context per trust set, shared with the TLS probes (same settings, same cache key).
  const contextFor = (ca: readonly string[]) => secureContextFor({ ca, minVersion: 'TLSv1.2' });
  const open = (options: ConnectOptions) => {
    const { host, port } = target(options);
    return openTcp(host, port, { timeoutMs: opts.connectTimeoutMs, proxy: opts.proxy });
  };
  /** A TLS connection whose chain AND host name verified, or an error; nothing is written before. */
  const secureConnect = async (options: ConnectOptions, ca: readonly string[]): Promise<tls.TLSSocket> => {
    const socket = await open(options);
    const { host } = target(options);
    return new Promise((resolve, reject) => {
      const secure = tls.connect({
        socket,
        // The name the certificate must carry: without `host`, Node would check an IP-literal issuer
        // against the socket's own name ('localhost', or the proxy's host through a tunnel).
        host,
        ...(net.isIP(host) ? {} : { servername: options.servername || host }),
        secureContext: contextFor(ca),
        ALPNProtocols: ['http/1.1'],
        // Verified: the chain against `ca` and the host name (Node's checkServerIdentity).
        rejectUnauthorized: true,
      });
      // Hand the socket to the HTTP client only once the handshake verified: no request byte can
      // be written before the chain and the host name were checked.
      const timer = setTimeout(
        () => secure.destroy(codedError('ETIMEDOUT', `TLS handshake with ${host} timed out`)),
        opts.connectTimeoutMs,
      );
      const fail = (err: Error) => {
        clearTimeout(timer);
        secure.destroy();
        socket.destroy();
        reject(err);
      };
      secure.once('error', fail);
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        secure.off('error', fail);
        resolve(secure);
      });
    });
  };
  /** Verified connections handed over by the certificate check, by host:port, used once each. */
  const adopted = new Map<string, tls.TLSSocket>();
  const keyOf = (host: string, port: number) => `${host.toLowerCase()}:${port}`;
  class HttpsAgent extends https.Agent {
    override createConnection(options: ConnectOptions, callback?: Callback): undefined {
      // Asynchronous: Node's Agent waits for the callback when this returns nothing.
      const cb = callback as (err: Error | null, stream?: Duplex) => void;
      const { host, port } = target(options);
      const ready = adopted.get(keyOf(host, port));
      if (ready) {
        adopted.delete(keyOf(host, port));
        if (!ready.destroyed && ready.readyState === 'open') {
          ready.ref();
          process.nextTick(() => cb(null, ready));
          return undefined;
        }
        ready.destroy();
      }
      secureConnect(options, opts.ca)
        .catch((err: unknown) => {
          const code = (err as { code?: unknown } | null)?.code;
          const more = opts.moreCa?.();
          if (more && caKey(more) !== caKey(opts.ca) && typeof code === 'string' && isUntrustedChain(code)) {
            return secureConnect(options, more);
          }
          throw err;
        })
        .then(
          (secure) => cb(null, secure),
          (err: Error) => cb(err),
        );
      return undefined;
    }
  }
  class HttpAgent extends http.Agent {
    override createConnection(options: ConnectOptions, callback?: Callback): undefined {
      // Asynchronous: Node's Agent waits for the callback when this returns nothing.
      const cb = callback as (err: Error | null, stream?: Duplex) => void;
      open(options).then(
        (socket) => cb(null, socket),
        (err: Error) => cb(err),
      );
      return undefined;
    }
  }
  const agentOptions = { keepAlive: true, maxSockets: 4 };
  const httpsAgent = new HttpsAgent(agentOptions);
  const httpAgent = new HttpAgent(agentOptions);
  let closed = false;
  const shut = async () => {
    closed = true;
    for (const socket of adopted.values()) socket.destroy();
    adopted.clear();
    httpsAgent.destroy();
    httpAgent.destroy();
  };
  return {
    kind: 'node-http',
    https: httpsAgent,
    http: httpAgent,
    get closed() {
      return closed;
    },
    adopt(host, port, socket) {
      if (closed || socket.destroyed) return false;
      adopted.get(keyOf(host, port))?.destroy();
      adopted.set(keyOf(host, port), socket);
      return true;
    },
    close: shut,
    destroy: shut,
  };
}

/**
 * The transport for one route and trust set: verifies servers against `ca` only, never follows
 * redirects, tunnels through `proxy` when given (credentials in the proxy URL become a
 * Proxy-Authorization header on CONNECT). Cached per proxy/CA/timeout; `closeAll()` releases them.
 */
export function createDispatcher(opts: DispatcherOptions): NodeTransport {
  const key = cacheKey(opts);
  const cached = cache.get(key);
  // A transport closed elsewhere (NetContext.close) cannot serve again: replace it.
  if (cached && !cached.closed) return cached;
  const transport = createTransport(opts);
  cache.set(key, transport);
  return transport;
}

/** Close every cached transport (open keep-alive sockets would otherwise hold the process). */
export async function closeAll(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  await Promise.allSettled(all.map((d) => d.destroy()));
}
