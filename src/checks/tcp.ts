import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Code } from '../codes.js';
import { openTcp } from '../net/connect.js';
import { mapNetError } from '../net/errors.js';
import { hostPort } from '../net/host.js';
import { firstHop } from '../net/proxy.js';
import type { Check, ResolvedAddress } from './types.js';

interface Attempt {
  address: string;
  family: 4 | 6;
  ok: boolean;
  durationMs: number;
  code?: Code;
  detail?: string;
}

/** An attempt with its connection, kept until the check decides which one the tls check gets. */
type Open = Attempt & { socket?: Socket };

const TITLES: Partial<Record<Code, string>> = {
  TCP_REFUSED: 'Connection refused',
  TCP_TIMEOUT: 'Connection timed out',
  TCP_UNREACHABLE: 'Network or host unreachable',
};

/**
 * A TCP connection to every address of the issuer (or of the proxy), in parallel. On a direct route
 * the connection to the first reachable address stays open for the tls check (one connection
 * fewer: a round trip against a far issuer); every other one is closed at once.
 */
export const check: Check = {
  id: 'tcp',
  needs: ['dns'],
  async run(target, ctx) {
    const hop = firstHop(target.issuer, target.facts.proxy);
    const addresses: ResolvedAddress[] = target.facts.addresses ?? [];
    const via = hop.viaProxy ? ` (proxy ${hop.viaProxy.display})` : '';
    if (addresses.length === 0) {
      return { status: 'skip', title: 'No address to connect to', detail: 'the dns check found no address' };
    }
    const opened = await Promise.all(
      addresses.map(async (a): Promise<Open> => {
        const started = performance.now();
        try {
          const socket = await openTcp(a.address, hop.port, {
            address: a.address,
            family: a.family,
            timeoutMs: ctx.options.timeoutMs,
          });
          return { ...a, ok: true, durationMs: Math.round(performance.now() - started), socket };
        } catch (err) {
          const mapped = mapNetError(err, 'tcp');
          const code: Code = mapped.code.startsWith('TCP_') ? mapped.code : 'TCP_UNREACHABLE';
          return {
            ...a,
            ok: false,
            durationMs: Math.round(performance.now() - started),
            code,
            detail: mapped.detail,
          };
        }
      }),
    );
    const attempts: Attempt[] = opened.map(({ socket: _socket, ...a }) => a);
    const keep = hop.viaProxy ? undefined : opened.find((a) => a.ok)?.socket;
    for (const a of opened) if (a.socket && a.socket !== keep) a.socket.destroy();
    if (keep) {
      // Idle until the tls check takes it; never what keeps the process alive.
      keep.unref();
      keep.on('error', () => keep.destroy());
      target.facts.openConnection = keep;
    }
    const ok = attempts.filter((a) => a.ok);
    const failed = attempts.filter((a) => !a.ok);
    target.facts.reachable = ok.map(({ address, family }) => ({ address, family }));
    const lines = attempts.map((a) =>
      a.ok ? `${hostPort(a.address, hop.port)} connected in ${a.durationMs} ms` : `${a.detail} [${a.code}]`,
    );
    const data = { port: hop.port, viaProxy: hop.viaProxy?.display ?? null, attempts };
    const detail = `${lines.join('; ')}${via}`;
    if (failed.length === 0) {
      return {
        status: 'pass',
        title: hop.viaProxy ? 'The proxy accepts connections' : `Port ${hop.port} accepts connections`,
        detail,
        data,
      };
    }
    const code = failed[0]?.code ?? 'TCP_UNREACHABLE';
    // This machine has no route for one address family at all (typically no IPv6) while the other
    // connects: clients fall back (happy eyeballs), and Cortex connects from its own network, so
    // that is a note, not a warning that --strict would turn into a failed CI run.
    const noRouteFamily = (family: 4 | 6) =>
      attempts.filter((a) => a.family === family).every((a) => !a.ok && a.code === 'TCP_UNREACHABLE');
    const onlyMissingFamily =
      ok.length > 0 && failed.every((a) => a.code === 'TCP_UNREACHABLE' && noRouteFamily(a.family));
    if (onlyMissingFamily) {
      const fam = failed[0]?.family === 6 ? 'IPv6' : 'IPv4';
      return {
        status: 'pass',
        title: `Port ${hop.port} accepts connections (${fam} has no route from this machine)`,
        detail,
        data,
      };
    }
    if (ok.length > 0) {
      return {
        status: 'warn',
        code,
        title: `Some addresses do not accept connections (${failed.length} of ${attempts.length})`,
        detail,
        data,
      };
    }
    return { status: 'fail', code, title: TITLES[code] ?? 'Connection failed', detail, data };
  },
};
