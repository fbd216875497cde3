import { CortexSsoError } from '../errors.js';
import { decideProxy } from '../net/proxy.js';
import type { Check } from './types.js';

/** Which proxy (if any) the issuer is reached through: --proxy, or HTTPS_PROXY/HTTP_PROXY minus NO_PROXY. */
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
      return {
        status: 'pass',
        title: 'Connecting through a proxy',
        detail: `via proxy ${decision.route.display} (from ${decision.from})`,
        data: { proxy: decision.route.display, source: decision.from },
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
