import { createHash } from 'node:crypto';
import { Agent, type Dispatcher, ProxyAgent } from 'undici';
import type { ProxyRoute } from '../checks/types.js';
import { secureContextFor } from './secure-context.js';

export interface DispatcherOptions {
  /** Trust anchors (PEM). Replaces Node's defaults: pass public + extra roots (TrustStore.all()). */
  ca: string[];
  /** Route through this HTTP proxy (CONNECT tunnel for https), or connect directly. */
  proxy: ProxyRoute | null;
  /** TCP + TLS connect timeout. */
  connectTimeoutMs: number;
}

const cache = new Map<string, Dispatcher>();

function cacheKey(opts: DispatcherOptions): string {
  const ca = createHash('sha256');
  for (const pem of opts.ca) ca.update(pem).update('\0');
  // The proxy URL may carry credentials: hash it too, so the key never holds them in clear.
  const proxy = opts.proxy ? createHash('sha256').update(opts.proxy.url).digest('hex') : 'direct';
  return `${proxy}|${ca.digest('hex')}|${opts.connectTimeoutMs}`;
}

/**
 * An undici dispatcher that verifies servers against `ca` only, never follows redirects (undici's
 * `request` does not without an interceptor), and tunnels through `proxy` when given. Credentials in
 * the proxy URL (http://user:pass@host:port) become a Proxy-Authorization header. Cached per
 * proxy/CA/timeout; `closeAll()` releases every cached dispatcher.
 */
export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const key = cacheKey(opts);
  const cached = cache.get(key);
  // A dispatcher closed elsewhere (NetContext.close) cannot serve again: replace it.
  const state = cached as (Dispatcher & { closed?: boolean; destroyed?: boolean }) | undefined;
  if (state && !state.closed && !state.destroyed) return state;
  // undici hands these to tls.connect for every new connection: a shared context avoids re-parsing
  // the whole CA list each time. Same settings as the TLS probes (TLS 1.2 or newer, which Okta
  // requires anyway), so probes and HTTP share one context per trust set.
  const tls = {
    secureContext: secureContextFor({ ca: opts.ca, minVersion: 'TLSv1.2' }),
    timeout: opts.connectTimeoutMs,
    allowH2: false,
  };
  let dispatcher: Dispatcher;
  if (opts.proxy) {
    const url = new URL(opts.proxy.url);
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    url.username = '';
    url.password = '';
    dispatcher = new ProxyAgent({
      uri: url.href,
      ...(user || pass ? { token: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` } : {}),
      requestTls: tls,
      connectTimeout: opts.connectTimeoutMs,
    });
  } else {
    dispatcher = new Agent({ connect: tls, connectTimeout: opts.connectTimeoutMs });
  }
  cache.set(key, dispatcher);
  return dispatcher;
}

/** Close every cached dispatcher (open keep-alive sockets would otherwise hold the process). */
export async function closeAll(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  await Promise.allSettled(all.map((d) => d.destroy()));
}
