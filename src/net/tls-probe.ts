// The TLS probe: a handshake that reads what was negotiated and the certificate chain. It may open
// an UNVERIFIED connection only to read the chain; no request ever travels over such a connection.
import net from 'node:net';
import tls from 'node:tls';
import { CortexSsoError } from '../errors.js';
import { abortError } from './errors.js';
import type { ProxyRoute } from './proxy.js';
import { secureContextFor } from './secure-context.js';
import { openTcp, wrap } from './tcp.js';

export interface TlsProbeOptions {
  host: string;
  port: number;
  /** Connect to this address (of the host, or of the proxy when `proxy` is set). */
  address?: string;
  /**
   * A TCP connection to the host already open (the tcp check's): the handshake is made on it instead
   * of a new one. The probe owns it from then on.
   */
  socket?: net.Socket;
  family?: 4 | 6;
  proxy?: ProxyRoute | null;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Trust anchors for the verification verdict; [] (the default) trusts nothing, so the chain is exactly as sent. */
  ca?: readonly string[];
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
  ALPNProtocols?: string[];
  /**
   * Keep the connection open and return it as `socket` when, and only when, its chain verified
   * against `ca` AND it names this host (the same checks Node makes for a verified connection) and
   * it speaks HTTP/1.1: it may then carry HTTP requests (see NetContext.adopt). Otherwise it is
   * closed as always.
   */
  keepIfVerifiedFor?: string;
}

export interface TlsProbe {
  protocol: string;
  cipher: string;
  alpn: string | false;
  /** The chain, leaf first, ordered by issuance: as sent, plus the trust anchor found in `ca` if any. */
  chainPem: string[];
  /** The leaf as Node describes it (for tls.checkServerIdentity). */
  leaf: tls.PeerCertificate | undefined;
  /** Whether the chain verified against `ca` (host name not included). */
  chainVerified: boolean;
  /** OpenSSL's verification error code, e.g. CERT_HAS_EXPIRED. */
  verifyError?: string;
  /** With keepIfVerifiedFor: the open connection, present only when chain and host verified. */
  socket?: tls.TLSSocket;
}

function derToPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64.endsWith('\n') ? b64 : `${b64}\n`}-----END CERTIFICATE-----\n`;
}

function peerChain(socket: tls.TLSSocket): { leaf: tls.PeerCertificate | undefined; pems: string[] } {
  const leaf = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate;
  if (!leaf?.raw) return { leaf: undefined, pems: [] };
  const pems: string[] = [];
  const seen = new Set<string>();
  let cur: tls.DetailedPeerCertificate | undefined = leaf;
  while (cur?.raw && !seen.has(cur.fingerprint256) && pems.length < 16) {
    seen.add(cur.fingerprint256);
    pems.push(derToPem(cur.raw));
    cur = cur.issuerCertificate;
  }
  return { leaf, pems };
}

/**
 * Handshake with SNI and return what was negotiated and the certificate chain, then close the connection.
 * The connection is NOT verified (rejectUnauthorized: false) so that a bad chain can be read and judged;
 * the verdict against `ca` is returned as data. The socket leaves this function only with
 * `keepIfVerifiedFor`, and only when its chain verified against `ca` and it names that host: an
 * unverified connection never carries application data (no HTTP request).
 */
export async function tlsHandshake(opts: TlsProbeOptions): Promise<TlsProbe> {
  const tcp =
    opts.socket ??
    (await openTcp(opts.host, opts.port, {
      timeoutMs: opts.timeoutMs,
      ...(opts.address ? { address: opts.address } : {}),
      ...(opts.family ? { family: opts.family } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      proxy: opts.proxy ?? null,
    }));
  if (opts.socket) {
    tcp.removeAllListeners('error');
    tcp.ref();
  }
  return new Promise<TlsProbe>((resolve, reject) => {
    const servername = net.isIP(opts.host) ? undefined : opts.host;
    const socket = tls.connect({
      socket: tcp,
      ...(servername ? { servername } : {}),
      rejectUnauthorized: false,
      // Trust, versions and ciphers come from a cached context: building one per handshake parsed
      // every CA certificate each time.
      secureContext: secureContextFor({
        ca: opts.ca ?? [],
        minVersion: opts.minVersion ?? 'TLSv1.2',
        ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
        ...(opts.ciphers ? { ciphers: opts.ciphers } : {}),
      }),
      ALPNProtocols: opts.ALPNProtocols ?? ['h2', 'http/1.1'],
      // The identity is checked by the certificate check itself; here it would only hide the chain.
      checkServerIdentity: () => undefined,
    });
    let done = false;
    const finish = (err: Error | null, value?: TlsProbe): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (value?.socket) {
        // Verified (chain and host): handed over, idle, without this probe's listeners.
        socket.removeAllListeners('error');
        socket.removeAllListeners('close');
        socket.on('error', () => socket.destroy());
        socket.unref();
        resolve(value);
        return;
      }
      socket.destroy();
      tcp.destroy();
      if (err) reject(err);
      else resolve(value as TlsProbe);
    };
    const onAbort = (): void => finish(abortError(opts.signal as AbortSignal));
    const timer = setTimeout(
      () =>
        finish(
          new CortexSsoError('TLS_TIMEOUT', 'TLS handshake timed out', {
            detail: `the server accepted the connection but did not complete a TLS handshake within ${opts.timeoutMs} ms`,
          }),
        ),
      opts.timeoutMs,
    );
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (err) => finish(wrap(err, 'tls', '')));
    socket.once('close', () =>
      finish(
        new CortexSsoError('TLS_HANDSHAKE_FAILED', 'connection closed during the TLS handshake', {
          detail: 'the connection closed before the TLS handshake completed',
        }),
      ),
    );
    socket.once('secureConnect', () => {
      const cipher = socket.getCipher();
      const { leaf, pems } = peerChain(socket);
      const err = socket.authorizationError as unknown;
      const verifyError =
        err === null || err === undefined
          ? undefined
          : err instanceof Error
            ? String((err as { code?: unknown }).code ?? err.message)
            : String(err);
      const keep =
        opts.keepIfVerifiedFor !== undefined &&
        verifyError === undefined &&
        leaf !== undefined &&
        tls.checkServerIdentity(opts.keepIfVerifiedFor, leaf) === undefined &&
        (socket.alpnProtocol === 'http/1.1' || !socket.alpnProtocol);
      finish(null, {
        ...(keep ? { socket } : {}),
        protocol: socket.getProtocol() ?? 'unknown',
        cipher: cipher?.standardName ?? cipher?.name ?? 'unknown',
        alpn: socket.alpnProtocol ?? false,
        chainPem: pems,
        leaf,
        chainVerified: verifyError === undefined,
        ...(verifyError !== undefined ? { verifyError } : {}),
      });
    });
  });
}
