import { performance } from 'node:perf_hooks';
import { CortexSsoError } from '../errors.js';
import { openTcp } from '../net/connect.js';
import { mapNetError } from '../net/errors.js';
import { hostPort } from '../net/host.js';
import { decideProxy } from '../net/proxy.js';
import type { Check, CheckOutcome } from './types.js';

/**
 * Which proxy (if any) the issuer is reached through: --proxy, or HTTPS_PROXY/HTTP_PROXY minus NO_PROXY.
 * With a proxy, this layer tests the proxy itself: it asks for a CONNECT tunnel to the issuer's
 * host and port (no byte goes through it) and reports a proxy that cannot be reached, asks for
 * credentials (407), refuses by policy (403) or drops the request as its own failure, so the later
 * layers are skipped and nothing blames the issuer for the proxy's fault.
 */
export const check: Check = {
  id: 'proxy',
  needs: ['issuer-url'],
  async run(target, ctx) {
    let decision: ReturnType<typeof decideProxy>;
    try {
      decision = decideProxy(target.issuer.url, ctx.net.proxyFlag, ctx.net.env);
    } catch (err) {
      if (err instanceof CortexSsoError) {
        target.facts.proxy = null;
        return {
          status: 'fail',
          code: err.code,
          title: 'The proxy setting is not usable',
          detail: err.message,
        };
      }
      throw err;
    }
    target.facts.proxy = decision.route;
    if (decision.route) {
      const route = decision.route;
      const { host, port } = target.issuer;
      const authority = hostPort(host, port);
      const data = { proxy: route.display, source: decision.from, tunnel: authority };
      const started = performance.now();
      try {
        const socket = await openTcp(host, port, { proxy: route, timeoutMs: ctx.options.timeoutMs });
        socket.destroy();
      } catch (err) {
        return proxyFailure(err, route.display, decision.from, data);
      }
      const ms = Math.round(performance.now() - started);
      return {
        status: 'pass',
        title: 'The proxy opens a tunnel to the issuer',
        detail: `via proxy ${route.display} (from ${decision.from}); CONNECT ${authority} accepted in ${ms} ms`,
        data,
      };
    }
    if (decision.reason === 'no-proxy') {
      return {
        status: 'pass',
        title: 'Direct connection',
        detail: `direct connection (${target.issuer.host} matches "${decision.entry}" in ${decision.from})`,
        data: { proxy: null, bypassedBy: decision.from, entry: decision.entry },
      };
    }
    return { status: 'pass', title: 'Direct connection', detail: 'direct connection', data: { proxy: null } };
  },
};

function proxyFailure(
  err: unknown,
  display: string,
  from: string,
  data: Record<string, unknown>,
): CheckOutcome {
  const code = err instanceof CortexSsoError ? err.code : undefined;
  if (code === 'PROXY_REFUSED') {
    return {
      status: 'fail',
      code: 'PROXY_REFUSED',
      title: 'The proxy refused the tunnel',
      detail: `${(err as CortexSsoError).message} (proxy from ${from})`,
      data,
    };
  }
  // Anything else happened on the way to the proxy itself: its name, its port, the route to it.
  const mapped = mapNetError(err, 'tcp');
  const why = err instanceof CortexSsoError ? err.message : `proxy ${display}: ${mapped.detail}`;
  return {
    status: 'fail',
    code: 'PROXY_UNREACHABLE',
    title: 'The proxy cannot be reached',
    detail: `${why} [${mapped.code}] (proxy from ${from})`,
    data: { ...data, error: mapped.code },
  };
}
