// A tiny HTTP CONNECT proxy on 127.0.0.1: tunnels to loopback targets only, and can demand Basic
// credentials (407), deny hosts (403) or reset tunnel requests. Erasable TypeScript only.
import http from 'node:http';
import net from 'node:net';

export interface TestProxyOptions {
  /** Require these Basic credentials; otherwise 407. */
  auth?: { user: string; pass: string };
  /** Hosts (as in CONNECT host:port) answered with 403. */
  deny?: string[];
  /** Reset every tunnel request instead of answering. */
  reset?: boolean;
  /** Map host names to loopback addresses (the proxy resolves names itself, like a real one). */
  hosts?: Record<string, string>;
}

export interface TestProxy {
  host: '127.0.0.1';
  port: number;
  url: string;
  /** CONNECT targets seen, in order (host:port as requested). */
  connects: string[];
  /** Plain-http requests forwarded (host:port), in order. */
  forwards: string[];
  close(): Promise<void>;
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}

function parseAuthority(authority: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(authority) ?? /^([^:]+):(\d+)$/.exec(authority);
  return m ? { host: m[1] ?? '', port: Number(m[2]) } : undefined;
}

export async function startProxy(opts: TestProxyOptions = {}): Promise<TestProxy> {
  const connects: string[] = [];
  const sockets = new Set<net.Socket>();
  const forwards: string[] = [];
  // Plain-http targets arrive in absolute form (GET http://host:port/path), as real forward
  // proxies accept them; https targets use CONNECT below. Same auth/deny/loopback rules.
  const server = http.createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    forwards.push(target.host);
    const expected =
      opts.auth && `Basic ${Buffer.from(`${opts.auth.user}:${opts.auth.pass}`).toString('base64')}`;
    if (expected && req.headers['proxy-authorization'] !== expected) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const address =
      opts.hosts?.[target.hostname] ?? (target.hostname === 'localhost' ? '127.0.0.1' : target.hostname);
    if (opts.deny?.includes(target.hostname) || !net.isIP(address) || !isLoopback(address)) {
      res.writeHead(403).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = http.request(
      {
        host: address,
        port: Number(target.port || 80),
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const authority = req.url ?? '';
    connects.push(authority);
    client.on('error', () => {});
    if (opts.reset) {
      client.resetAndDestroy();
      return;
    }
    if (opts.auth) {
      const expected = `Basic ${Buffer.from(`${opts.auth.user}:${opts.auth.pass}`).toString('base64')}`;
      if (req.headers['proxy-authorization'] !== expected) {
        client.end(
          'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
        );
        return;
      }
    }
    const target = parseAuthority(authority);
    if (!target || opts.deny?.includes(target.host)) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const address = opts.hosts?.[target.host] ?? (target.host === 'localhost' ? '127.0.0.1' : target.host);
    if (!net.isIP(address) || !isLoopback(address)) {
      // Tests never leave the machine.
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect({ host: address, port: target.port });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => {
      if (!client.writableEnded) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    url: `http://127.0.0.1:${port}`,
    connects,
    forwards,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
