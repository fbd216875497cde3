import net from 'node:net';
import tls from 'node:tls';
import { CortexSsoError } from '../errors.js';
import { codedError, mapNetError } from './errors.js';
import { hostPort } from './host.js';
import type { ProxyRoute } from './proxy.js';
import { secureContextFor } from './secure-context.js';

export interface OpenTcpOptions {
  family?: 4 | 6;
  /** Connect to this address instead of resolving `host` (the proxy's address when `proxy` is set). */
  address?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Tunnel through this HTTP proxy with CONNECT. */
  proxy?: ProxyRoute | null;
}

const MAX_PROXY_HEADER = 64 * 1024;

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : codedError('ABORT_ERR', 'aborted');
}

/** A plain TCP connection, bounded by timeoutMs. Rejects with the raw Node error (ETIMEDOUT on our timeout). */
function connectDirect(host: string, port: number, opts: OpenTcpOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const target = opts.address ?? host;
    if (opts.signal?.aborted) {
      reject(abortError(opts.signal));
      return;
    }
    const socket = net.connect({
      host: target,
      port,
      ...(opts.family ? { family: opts.family } : {}),
      noDelay: true,
    });
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('connect', onConnect);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (err: Error): void => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onError = (err: Error): void => fail(err);
    const onAbort = (): void => fail(abortError(opts.signal as AbortSignal));
    const onConnect = (): void => {
      cleanup();
      resolve(socket);
    };
    const timer = setTimeout(
      () =>
        fail(
          codedError(
            'ETIMEDOUT',
            `connecting to ${hostPort(target, port)} timed out after ${opts.timeoutMs} ms`,
          ),
        ),
      opts.timeoutMs,
    );
    socket.once('error', onError);
    socket.once('connect', onConnect);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function proxyRefused(proxy: ProxyRoute, detail: string, cause?: unknown): CortexSsoError {
  return new CortexSsoError('PROXY_REFUSED', `The proxy ${proxy.display} refused the connection: ${detail}`, {
    detail: `proxy ${proxy.display}: ${detail}`,
    cause,
  });
}

function proxyAuthHeader(url: URL): string | undefined {
  if (!url.username && !url.password) return undefined;
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

/** Ask the proxy for a tunnel to host:port on an open socket; resolves with the same socket, now a tunnel. */
function connectTunnel(
  socket: net.Socket,
  proxy: ProxyRoute,
  host: string,
  port: number,
  opts: OpenTcpOptions,
): Promise<net.Socket> {
  const proxyUrl = new URL(proxy.url);
  const authority = hostPort(host, port);
  const auth = proxyAuthHeader(proxyUrl);
  const request =
    `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n` +
    (auth ? `Proxy-Authorization: ${auth}\r\n` : '') +
    'Proxy-Connection: keep-alive\r\n\r\n';
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (err: Error): void => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onError = (err: Error): void =>
      fail(
        proxyRefused(
          proxy,
          `it dropped the tunnel request to ${authority} (${mapNetError(err).detail})`,
          err,
        ),
      );
    const onClose = (): void =>
      fail(
        proxyRefused(proxy, `it closed the connection without answering the tunnel request to ${authority}`),
      );
    const onAbort = (): void => fail(abortError(opts.signal as AbortSignal));
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > MAX_PROXY_HEADER)
          fail(proxyRefused(proxy, 'its answer to CONNECT is too large'));
        return;
      }
      const head = buffered.subarray(0, end).toString('latin1');
      const rest = buffered.subarray(end + 4);
      const statusLine = head.split('\r\n', 1)[0] ?? '';
      const m = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(statusLine);
      if (!m) {
        fail(proxyRefused(proxy, `it answered the tunnel request with something that is not HTTP`));
        return;
      }
      const status = Number(m[1]);
      const reason = m[2] ?? '';
      if (status >= 200 && status < 300) {
        socket.pause();
        cleanup();
        if (rest.length > 0) socket.unshift(rest);
        resolve(socket);
        return;
      }
      const what = `${status}${reason ? ` ${reason}` : ''}`;
      let detail: string;
      if (status === 407) {
        detail = auth
          ? `it answered ${what}: the credentials in the proxy URL were rejected`
          : `it answered ${what}: it needs credentials (none were given in the proxy URL)`;
      } else if (status === 403) {
        detail = `it answered ${what} to CONNECT ${authority}: its policy blocks this host or port`;
      } else if (status === 502 || status === 503 || status === 504) {
        detail = `it answered ${what} to CONNECT ${authority}: the proxy could not reach the host`;
      } else {
        detail = `it answered ${what} to CONNECT ${authority}`;
      }
      fail(proxyRefused(proxy, detail));
    };
    const timer = setTimeout(
      () =>
        fail(
          proxyRefused(
            proxy,
            `it did not answer the tunnel request to ${authority} within ${opts.timeoutMs} ms`,
          ),
        ),
      opts.timeoutMs,
    );
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('close', onClose);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    socket.write(request);
  });
}

/**
 * Open a TCP connection to host:port, directly or through an HTTP CONNECT tunnel (`proxy`). Every step is
 * bounded by `timeoutMs`. Errors are CortexSsoError with our code: TCP_* for the connection (to the proxy
 * when one is used: the detail says so), PROXY_REFUSED when the proxy refuses or drops the tunnel.
 */
export async function openTcp(host: string, port: number, opts: OpenTcpOptions): Promise<net.Socket> {
  const proxy = opts.proxy ?? null;
  if (!proxy) {
    try {
      return await connectDirect(host, port, opts);
    } catch (err) {
      throw wrap(err, 'tcp', `${hostPort(opts.address ?? host, port)}: `);
    }
  }
  const proxyUrl = new URL(proxy.url);
  const proxyPort = proxyUrl.port ? Number(proxyUrl.port) : 80;
  const proxyHost = proxyUrl.hostname.replace(/^\[(.*)\]$/, '$1');
  let socket: net.Socket;
  try {
    socket = await connectDirect(proxyHost, proxyPort, opts);
  } catch (err) {
    throw wrap(err, 'tcp', `proxy ${proxy.display}: `);
  }
  return connectTunnel(socket, proxy, host, port, opts);
}

function wrap(err: unknown, phase: 'tcp' | 'tls', prefix: string): CortexSsoError {
  if (err instanceof CortexSsoError) return err;
  const mapped = mapNetError(err, phase);
  return new CortexSsoError(mapped.code, `${prefix}${mapped.detail}`, {
    detail: `${prefix}${mapped.detail}`,
    cause: err,
  });
}

export interface TlsProbeOptions {
  host: string;
  port: number;
  /** Connect to this address (of the host, or of the proxy when `proxy` is set). */
  address?: string;
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
  const tcp = await openTcp(opts.host, opts.port, {
    timeoutMs: opts.timeoutMs,
    ...(opts.address ? { address: opts.address } : {}),
    ...(opts.family ? { family: opts.family } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    proxy: opts.proxy ?? null,
  });
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
