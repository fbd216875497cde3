import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, createDispatcher } from '../../src/net/dispatcher.js';
import { mapNetError } from '../../src/net/errors.js';
import { httpGet } from '../../src/net/http.js';
import { type HttpFixtures, startHttpFixtures } from '../support/http-fixtures.ts';
import { createTestPki, type TestPki } from '../support/pki.ts';

let pki: TestPki;
let fx: HttpFixtures;
let proxy: http.Server;
let proxyPort: number;
const seen: Array<{ target: string; auth: string | undefined }> = [];

beforeAll(async () => {
  pki = await createTestPki();
  fx = await startHttpFixtures({ tls: pki.leaf });
  // A minimal CONNECT proxy on loopback that records what it was asked and who asked.
  proxy = http.createServer((_req, res) => {
    res.statusCode = 405;
    res.end();
  });
  proxy.on('connect', (req, client, head) => {
    const auth = req.headers['proxy-authorization'];
    seen.push({ target: req.url ?? '', auth });
    if (auth !== `Basic ${Buffer.from('alice:s3cr%t').toString('base64')}`) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host === 'localhost' ? '127.0.0.1' : host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
  proxyPort = (proxy.address() as AddressInfo).port;
});
afterAll(async () => {
  await closeAll();
  proxy?.closeAllConnections();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await fx?.close();
});

describe('createDispatcher', () => {
  it('caches one dispatcher per route and CA', () => {
    const a = createDispatcher({ ca: [pki.root.certPem], proxy: null, connectTimeoutMs: 1000 });
    const b = createDispatcher({ ca: [pki.root.certPem], proxy: null, connectTimeoutMs: 1000 });
    const c = createDispatcher({ ca: [], proxy: null, connectTimeoutMs: 1000 });
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('replaces a cached dispatcher that was closed elsewhere', async () => {
    const a = createDispatcher({ ca: [pki.root.certPem], proxy: null, connectTimeoutMs: 1001 });
    await a.close();
    const b = createDispatcher({ ca: [pki.root.certPem], proxy: null, connectTimeoutMs: 1001 });
    expect(b).not.toBe(a);
    const res = await httpGet(`${fx.issuer('healthy')}/.well-known/openid-configuration`, {
      dispatcher: b,
      timeoutMs: 3000,
      maxBytes: 1024 * 1024,
    });
    expect(res.status).toBe(200);
  });

  it('tunnels through a proxy with the credentials from its URL, verifying the origin', async () => {
    const url = `http://alice:s3cr%25t@127.0.0.1:${proxyPort}`;
    const d = createDispatcher({
      ca: [pki.root.certPem],
      proxy: { display: `http://127.0.0.1:${proxyPort}`, url, source: 'flag' },
      connectTimeoutMs: 3000,
    });
    const res = await httpGet(`${fx.issuer('healthy')}/.well-known/openid-configuration`, {
      dispatcher: d,
      timeoutMs: 3000,
      maxBytes: 1024 * 1024,
    });
    expect(res.status).toBe(200);
    expect(seen.at(-1)).toEqual({
      target: `localhost:${fx.port}`,
      auth: `Basic ${Buffer.from('alice:s3cr%t').toString('base64')}`,
    });
  });

  it('surfaces a 407 from the proxy when credentials are missing', async () => {
    const d = createDispatcher({
      ca: [pki.root.certPem],
      proxy: {
        display: `http://127.0.0.1:${proxyPort}`,
        url: `http://127.0.0.1:${proxyPort}`,
        source: 'env',
      },
      connectTimeoutMs: 3000,
    });
    const err = await httpGet(`${fx.issuer('healthy')}/.well-known/openid-configuration`, {
      dispatcher: d,
      timeoutMs: 3000,
      maxBytes: 1024,
    }).catch((e: unknown) => e);
    expect(String((err as Error).message)).toContain('407');
    expect(mapNetError(err).code).toBe('PROXY_REFUSED');
    expect(seen.at(-1)?.auth).toBeUndefined();
  });
});

describe('the HTTP transport', () => {
  /** An HTTPS server counting connections, TLS sessions and requests. */
  async function countingServer(leaf: { keyPem: string; chainPem: string }) {
    const seen = { connections: 0, requests: 0 };
    const server = https.createServer({ key: leaf.keyPem, cert: leaf.chainPem }, (_req, res) => {
      seen.requests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    server.on('connection', () => seen.connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    return {
      seen,
      url: (path: string) => `https://localhost:${port}${path}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  it('carries several requests to one origin over one verified keep-alive connection', async () => {
    const s = await countingServer(pki.leaf);
    try {
      const d = createDispatcher({ ca: [pki.root.certPem], proxy: null, connectTimeoutMs: 3000 });
      for (const path of ['/.well-known/openid-configuration', '/keys', '/']) {
        const res = await httpGet(s.url(path), { dispatcher: d, timeoutMs: 3000, maxBytes: 1024 });
        expect(res.status).toBe(200);
      }
      expect(s.seen).toEqual({ connections: 1, requests: 3 });
    } finally {
      await s.close();
    }
  });

  it('never sends a request over a connection whose chain or host name did not verify', async () => {
    const wrongHost = await countingServer(await pki.issueLeaf({ hosts: ['other.example'] }));
    try {
      const trusting = createDispatcher({ ca: [pki.root.certPem], proxy: null, connectTimeoutMs: 3000 });
      const hostErr = await httpGet(wrongHost.url('/'), {
        dispatcher: trusting,
        timeoutMs: 3000,
        maxBytes: 1024,
      }).catch((e: unknown) => e);
      expect(mapNetError(hostErr).code).toBe('CERT_HOSTNAME_MISMATCH');
      const untrusting = createDispatcher({ ca: [], proxy: null, connectTimeoutMs: 3000 });
      const chainErr = await httpGet(wrongHost.url('/'), {
        dispatcher: untrusting,
        timeoutMs: 3000,
        maxBytes: 1024,
      }).catch((e: unknown) => e);
      expect(mapNetError(chainErr).code).toMatch(/^CERT_/);
      expect(wrongHost.seen.connections).toBe(2);
      expect(wrongHost.seen.requests).toBe(0);
    } finally {
      await wrongHost.close();
    }
  });

  it('repeats a handshake that lacks a trusted root with the second stage of the trust store, once', async () => {
    const s = await countingServer(pki.leaf);
    try {
      let asked = 0;
      const d = createDispatcher({
        ca: [],
        moreCa: () => {
          asked++;
          return [pki.root.certPem];
        },
        proxy: null,
        connectTimeoutMs: 3000,
      });
      const res = await httpGet(s.url('/'), { dispatcher: d, timeoutMs: 3000, maxBytes: 1024 });
      expect(res.status).toBe(200);
      expect(asked).toBe(1);
      expect(s.seen).toEqual({ connections: 2, requests: 1 });
    } finally {
      await s.close();
    }
  });
});
