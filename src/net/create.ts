import type { NetContext } from './context.js';
import { createDispatcher, type HttpTransport, isNodeTransport } from './dispatcher.js';
import type { ProxyRoute } from './proxy.js';
import { parseProxyUrl } from './proxy.js';
import { resolverFromEnv } from './resolver.js';
import { createTrustStore } from './trust.js';

export interface NetOptions {
  caFile?: string;
  proxyFlag?: string;
  timeoutMs: number;
  env: Readonly<Record<string, string | undefined>>;
}

/** Build the network context for one run: trust anchors, resolver, dispatchers (one per proxy route). */
export function createNetContext(opts: NetOptions): NetContext & { close(): Promise<void> } {
  // A --proxy that is not a usable proxy URL is a usage error (exit 2) before anything runs.
  if (opts.proxyFlag?.trim()) parseProxyUrl(opts.proxyFlag.trim(), 'flag', '--proxy');
  const trust = createTrustStore({ ...(opts.caFile ? { caFile: opts.caFile } : {}), env: opts.env });
  const resolver = resolverFromEnv(opts.env, opts.timeoutMs);
  // createDispatcher caches per proxy/CA/timeout across runs; the CLI closes them all on exit.
  const dispatchers = new Map<string, HttpTransport>();
  const ctx: NetContext & { close(): Promise<void> } = {
    trust,
    resolver,
    env: opts.env,
    dispatcher(proxy: ProxyRoute | null): HttpTransport {
      const key = proxy?.url ?? '';
      let d = dispatchers.get(key);
      if (!d) {
        // The first stage of the trust store (public roots, --ca-file); the rest only if a chain needs it.
        d = createDispatcher({
          ca: trust.firstStage(),
          moreCa: () => trust.all(),
          proxy,
          connectTimeoutMs: opts.timeoutMs,
        });
        dispatchers.set(key, d);
      }
      return d;
    },
    adopt(proxy, host, port, socket) {
      const d = ctx.dispatcher(proxy);
      return isNodeTransport(d) ? d.adopt(host, port, socket) : false;
    },
    async close() {
      dispatchers.clear();
    },
  };
  if (opts.proxyFlag) ctx.proxyFlag = opts.proxyFlag;
  return ctx;
}
