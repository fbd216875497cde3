import type { Code } from '../codes.js';
import { CortexSsoError } from '../errors.js';
import { type TlsProbe, tlsHandshake } from '../net/connect.js';
import { mapNetError } from '../net/errors.js';
import { tlsProbeOptions } from './probe.js';
import type { Check, CheckOutcome } from './types.js';

const MODERN = new Set(['TLSv1.2', 'TLSv1.3']);

const TITLES: Partial<Record<Code, string>> = {
  TLS_TIMEOUT: 'TLS handshake timed out',
  TLS_NOT_TLS: 'The server does not speak TLS on this port',
  TLS_PROTOCOL_TOO_OLD: 'The server only offers TLS older than 1.2',
  TLS_HANDSHAKE_FAILED: 'TLS handshake failed',
  PROXY_REFUSED: 'The proxy refused the tunnel',
};

function tooOld(protocol: string, via: string): CheckOutcome {
  return {
    status: 'fail',
    code: 'TLS_PROTOCOL_TOO_OLD',
    title: TITLES.TLS_PROTOCOL_TOO_OLD as string,
    detail: `the server negotiated ${protocol} when offered TLS 1.0/1.1; it refuses TLS 1.2 and 1.3, which Okta and Cortex require${via}`,
    data: { protocol },
  };
}

/**
 * The handshake on the connection the tcp check left open (one connection fewer), or on a new one.
 * A server or middlebox may drop a connection that sat idle between the two checks: a failure on the
 * handed-over connection is tried once more on a new one (a timeout excepted: it would only double
 * the wait), so the verdict is always that of a connection made for the handshake.
 */
async function handshakeOnTcpConnection(
  target: Parameters<Check['run']>[0],
  base: ReturnType<typeof tlsProbeOptions>,
): Promise<TlsProbe> {
  const socket = target.facts.openConnection;
  target.facts.openConnection = undefined;
  if (!socket || socket.destroyed || socket.readyState !== 'open') {
    socket?.destroy();
    return tlsHandshake(base);
  }
  try {
    return await tlsHandshake({ ...base, socket });
  } catch (err) {
    if (err instanceof CortexSsoError && err.code === 'TLS_TIMEOUT') throw err;
    return tlsHandshake(base);
  }
}

/** A TLS handshake with SNI (through the proxy tunnel when one applies): protocol, cipher, ALPN, chain. */
export const check: Check = {
  id: 'tls',
  needs: ['tcp'],
  async run(target, ctx) {
    const proxy = target.facts.proxy ?? null;
    const via = proxy ? ` (through proxy ${proxy.display})` : '';
    const base = tlsProbeOptions(target, ctx);
    let probe: TlsProbe;
    try {
      probe = await handshakeOnTcpConnection(target, base);
    } catch (err) {
      const mapped = mapNetError(err, 'tls');
      if (mapped.code === 'TLS_PROTOCOL_TOO_OLD' || mapped.code === 'TLS_HANDSHAKE_FAILED') {
        // Confirm "too old": offer TLS 1.0/1.1 with legacy ciphers and see what the server speaks.
        try {
          const legacy = await tlsHandshake({
            ...base,
            minVersion: 'TLSv1',
            maxVersion: 'TLSv1.1',
            ciphers: 'DEFAULT@SECLEVEL=0',
          });
          return tooOld(legacy.protocol, via);
        } catch {
          // Not confirmed: report the first failure as it was.
        }
      }
      return {
        status: 'fail',
        code: mapped.code,
        title: TITLES[mapped.code] ?? 'TLS connection failed',
        detail: `${mapped.detail}${via}`,
        data: { host: target.issuer.host, port: target.issuer.port, viaProxy: proxy?.display ?? null },
      };
    }
    if (!MODERN.has(probe.protocol)) return tooOld(probe.protocol, via);
    target.facts.tls = {
      protocol: probe.protocol,
      cipher: probe.cipher,
      alpn: probe.alpn,
      chainPem: probe.chainPem,
    };
    return {
      status: 'pass',
      title: `TLS handshake succeeded (${probe.protocol})`,
      detail: `${probe.protocol}, ${probe.cipher}, ALPN ${probe.alpn === false ? 'none' : probe.alpn}${via}`,
      data: {
        protocol: probe.protocol,
        cipher: probe.cipher,
        alpn: probe.alpn,
        servername: target.issuer.host,
        certificates: probe.chainPem.length,
        viaProxy: proxy?.display ?? null,
      },
    };
  },
};
