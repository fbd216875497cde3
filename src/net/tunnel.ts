// The CONNECT tunnel through an HTTP proxy: the request, and the proxy's answer read by the pure
// parseConnectReply() (tested on its own: test/net/tunnel.test.ts).
import type net from 'node:net';
import { CortexSsoError } from '../errors.js';
import { abortError, mapNetError } from './errors.js';
import { hostPort } from './host.js';
import type { ProxyRoute } from './proxy.js';

/** The most a proxy's answer to CONNECT (status line and headers) may take. */
export const MAX_PROXY_HEADER = 64 * 1024;

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

/** What the proxy's answer to CONNECT says so far. */
export type ConnectReply =
  | { state: 'incomplete' }
  /** The tunnel is open; `rest` is what the server sent already, after the proxy's header. */
  | { state: 'open'; rest: Buffer }
  /** No tunnel: why, in words for the PROXY_REFUSED message. */
  | { state: 'refused'; detail: string };

/**
 * Read the proxy's answer to `CONNECT authority` from the bytes received so far: a 2xx opens the
 * tunnel; anything else says why not (407 with or without credentials, 403 policy, 502-504 cannot
 * reach the host); a header over MAX_PROXY_HEADER or a reply that is not HTTP refuses.
 */
export function parseConnectReply(
  received: Buffer,
  request: { authority: string; withCredentials: boolean },
): ConnectReply {
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) {
    return received.length > MAX_PROXY_HEADER
      ? { state: 'refused', detail: 'its answer to CONNECT is too large' }
      : { state: 'incomplete' };
  }
  const head = received.subarray(0, end).toString('latin1');
  const statusLine = head.split('\r\n', 1)[0] ?? '';
  const m = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!m)
    return { state: 'refused', detail: 'it answered the tunnel request with something that is not HTTP' };
  const status = Number(m[1]);
  if (status >= 200 && status < 300) return { state: 'open', rest: received.subarray(end + 4) };
  const reason = m[2] ?? '';
  const what = `${status}${reason ? ` ${reason}` : ''}`;
  const { authority } = request;
  if (status === 407) {
    return {
      state: 'refused',
      detail: request.withCredentials
        ? `it answered ${what}: the credentials in the proxy URL were rejected`
        : `it answered ${what}: it needs credentials (none were given in the proxy URL)`,
    };
  }
  if (status === 403)
    return {
      state: 'refused',
      detail: `it answered ${what} to CONNECT ${authority}: its policy blocks this host or port`,
    };
  if (status === 502 || status === 503 || status === 504) {
    return {
      state: 'refused',
      detail: `it answered ${what} to CONNECT ${authority}: the proxy could not reach the host`,
    };
  }
  return { state: 'refused', detail: `it answered ${what} to CONNECT ${authority}` };
}

/** Ask the proxy for a tunnel to host:port on an open socket; resolves with the same socket, now a tunnel. */
export function connectTunnel(
  socket: net.Socket,
  proxy: ProxyRoute,
  host: string,
  port: number,
  opts: { timeoutMs: number; signal?: AbortSignal },
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
      const reply = parseConnectReply(buffered, { authority, withCredentials: Boolean(auth) });
      if (reply.state === 'incomplete') return;
      if (reply.state === 'refused') {
        fail(proxyRefused(proxy, reply.detail));
        return;
      }
      socket.pause();
      cleanup();
      if (reply.rest.length > 0) socket.unshift(reply.rest);
      resolve(socket);
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
