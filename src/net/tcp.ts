// The TCP probe: a connection to host:port, directly or through an HTTP proxy's CONNECT tunnel
// (./tunnel.ts), every step bounded by a timeout, errors mapped to our codes.
import net from 'node:net';
import { CortexSsoError } from '../errors.js';
import { abortError, codedError, mapNetError } from './errors.js';
import { hostPort } from './host.js';
import type { ProxyRoute } from './proxy.js';
import { connectTunnel } from './tunnel.js';

export interface OpenTcpOptions {
  family?: 4 | 6;
  /** Connect to this address instead of resolving `host` (the proxy's address when `proxy` is set). */
  address?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Tunnel through this HTTP proxy with CONNECT. */
  proxy?: ProxyRoute | null;
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

/** An error of the TCP or TLS phase as a CortexSsoError with our code, prefixed with what was connected to. */
export function wrap(err: unknown, phase: 'tcp' | 'tls', prefix: string): CortexSsoError {
  if (err instanceof CortexSsoError) return err;
  const mapped = mapNetError(err, phase);
  return new CortexSsoError(mapped.code, `${prefix}${mapped.detail}`, {
    detail: `${prefix}${mapped.detail}`,
    cause: err,
  });
}
