import dns from 'node:dns';
import type { Resolver } from './context.js';
import { codedError } from './errors.js';

type Addresses = Array<{ address: string; family: 4 | 6 }>;

function timeoutError(host: string, signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error && reason.name !== 'TimeoutError' ? reason.message : 'timed out';
  return Object.assign(codedError('ETIMEOUT', `DNS lookup of ${host} ${why}`), { hostname: host });
}

function raceAbort<T>(work: Promise<T>, host: string, signal: AbortSignal, onAbort?: () => void): Promise<T> {
  if (signal.aborted) {
    onAbort?.();
    return Promise.reject(timeoutError(host, signal));
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      onAbort?.();
      reject(timeoutError(host, signal));
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(e);
      },
    );
  });
}

/**
 * The OS resolver (getaddrinfo via dns.lookup, all addresses), as a real connection uses it. When the
 * signal aborts (the check's timeout) it rejects with code ETIMEOUT; the lookup itself cannot be cancelled.
 */
export function createDefaultResolver(): Resolver {
  return {
    lookup(host, signal) {
      const work = dns.promises
        .lookup(host, { all: true, order: 'verbatim' })
        .then((list) => list.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }) as const));
      return raceAbort<Addresses>(work, host, signal);
    },
  };
}

function errCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A resolver that asks specific DNS servers (host:port) for A and AAAA records, bypassing the OS
 * resolver. Enabled by env CORTEX_SSO_DNS_SERVERS=host:port[,host:port]: a way to test what a given
 * resolver answers. NXDOMAIN rejects with ENOTFOUND, SERVFAIL with ESERVFAIL, REFUSED with EREFUSED,
 * an unreachable server with ECONNREFUSED, silence with ETIMEOUT.
 */
export function createDnsResolver(servers: string[], opts: { timeoutMs?: number } = {}): Resolver {
  return {
    async lookup(host, signal) {
      const r = new dns.promises.Resolver({ timeout: opts.timeoutMs ?? 5000, tries: 1 });
      r.setServers(servers);
      const work = Promise.allSettled([r.resolve4(host), r.resolve6(host)]).then(([a, aaaa]) => {
        const out: Addresses = [];
        if (a.status === 'fulfilled') for (const address of a.value) out.push({ address, family: 4 });
        if (aaaa.status === 'fulfilled') for (const address of aaaa.value) out.push({ address, family: 6 });
        if (out.length > 0) return out;
        const errors = [a, aaaa].flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
        // The most telling failure wins: NXDOMAIN is definitive; then server failures; "no data" last.
        const order = ['ENOTFOUND', 'ESERVFAIL', 'EREFUSED', 'ECONNREFUSED', 'ETIMEOUT', 'ENODATA'];
        errors.sort((x, y) => {
          const ix = order.indexOf(errCode(x) ?? '');
          const iy = order.indexOf(errCode(y) ?? '');
          return (ix < 0 ? 99 : ix) - (iy < 0 ? 99 : iy);
        });
        // Both "no data": the name exists without addresses.
        if (errors.length === 0)
          throw Object.assign(codedError('ENODATA', `${host} has no A or AAAA record`), { hostname: host });
        throw errors[0];
      });
      return raceAbort(work, host, signal, () => r.cancel());
    },
  };
}

/** The resolver for a run: CORTEX_SSO_DNS_SERVERS when set, else the OS resolver. */
export function resolverFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs?: number,
): Resolver {
  const servers = (env.CORTEX_SSO_DNS_SERVERS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return servers.length > 0
    ? createDnsResolver(servers, timeoutMs !== undefined ? { timeoutMs } : {})
    : createDefaultResolver();
}
