import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Code } from '../codes.js';
import { mapNetError } from '../net/errors.js';
import { firstHop } from '../net/proxy.js';
import type { Check, ResolvedAddress } from './types.js';

const TITLES: Partial<Record<Code, string>> = {
  DNS_NOT_FOUND: 'The host name does not exist',
  DNS_FAILURE: 'The DNS resolver failed',
  DNS_TIMEOUT: 'DNS lookup timed out',
};

/** A and AAAA addresses of the issuer host (of the proxy host when a proxy applies), with timing. */
export const check: Check = {
  id: 'dns',
  needs: ['proxy'],
  async run(target, ctx) {
    const hop = firstHop(target.issuer, target.facts.proxy);
    const what = hop.viaProxy ? `proxy host ${hop.host}` : hop.host;
    const note = hop.viaProxy
      ? ` (the proxy ${hop.viaProxy.display} resolves ${target.issuer.host} itself)`
      : '';
    const family = net.isIP(hop.host);
    if (family === 4 || family === 6) {
      target.facts.addresses = [{ address: hop.host, family }];
      return {
        status: 'pass',
        title: 'No DNS lookup needed',
        detail: `${what} is an IP address${note}`,
        data: { host: hop.host, addresses: target.facts.addresses, viaProxy: hop.viaProxy?.display ?? null },
      };
    }
    const started = performance.now();
    let list: ResolvedAddress[];
    try {
      const answer = await ctx.net.resolver.lookup(hop.host, AbortSignal.timeout(ctx.options.timeoutMs));
      const seen = new Set<string>();
      list = answer.filter((a) => !seen.has(a.address) && seen.add(a.address));
    } catch (err) {
      const mapped = mapNetError(err, 'dns');
      const code: Code = mapped.code.startsWith('DNS_') ? mapped.code : 'DNS_FAILURE';
      const ms = Math.round(performance.now() - started);
      return {
        status: 'fail',
        code,
        title: TITLES[code] ?? 'DNS lookup failed',
        detail: `${what}: ${mapped.detail} (after ${ms} ms)${note}`,
        data: { host: hop.host, durationMs: ms, viaProxy: hop.viaProxy?.display ?? null },
      };
    }
    const ms = Math.round(performance.now() - started);
    if (list.length === 0) {
      return {
        status: 'fail',
        code: 'DNS_NOT_FOUND',
        title: 'The host name has no address',
        detail: `${what}: no A or AAAA record (after ${ms} ms)${note}`,
        data: { host: hop.host, durationMs: ms },
      };
    }
    target.facts.addresses = list;
    const shown = list.map((a) => `${a.address} (${a.family === 6 ? 'AAAA' : 'A'})`).join(', ');
    return {
      status: 'pass',
      title: hop.viaProxy ? 'The proxy host resolves' : 'The host name resolves',
      detail: `${what} -> ${shown} in ${ms} ms${note}`,
      data: {
        host: hop.host,
        addresses: list.map((a) => ({ ...a, type: a.family === 6 ? 'AAAA' : 'A' })),
        durationMs: ms,
        viaProxy: hop.viaProxy?.display ?? null,
      },
    };
  },
};
