// Which route (direct or which proxy) a request of a check takes. A helper of the checks, not a
// check: checks share it instead of importing each other.
import type { NetContext } from '../net/context.js';
import { hostKey } from '../net/host.js';
import { proxyFor } from '../net/proxy.js';
import type { ParsedIssuer } from '../okta/issuer.js';
import type { Facts, ProxyRoute } from './types.js';

/**
 * The proxy route for `url`: the issuer host uses what the proxy check found; other hosts get their
 * own decision (NO_PROXY may exempt one host and not another).
 */
export function routeFor(url: URL, issuer: ParsedIssuer, facts: Facts, net: NetContext): ProxyRoute | null {
  if (hostKey(url) === hostKey(issuer.url) && facts.proxy !== undefined) return facts.proxy;
  try {
    return proxyFor(url, net.proxyFlag, net.env);
  } catch {
    return facts.proxy ?? null;
  }
}
