import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CortexSsoError } from '../../src/errors.ts';
import { openTcp, tlsHandshake } from '../../src/net/connect.ts';
import { proxyFor } from '../../src/net/proxy.ts';
import { createTestPki, type TestPki } from '../support/pki.ts';
import { startProxy, type TestProxy } from '../support/proxy-server.ts';
import { freePort, startTlsServer, type TestServer } from '../support/tls-servers.ts';

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CortexSsoError);
    return { code: (err as CortexSsoError).code, message: (err as CortexSsoError).detail ?? '' };
  }
  throw new Error('expected a rejection');
}

describe('openTcp / tlsHandshake', () => {
  let pki: TestPki;
  let server: TestServer;
  let proxy: TestProxy;
  beforeAll(async () => {
    pki = await createTestPki();
    server = await startTlsServer({ keyPem: pki.leaf.keyPem, certPem: pki.leaf.chainPem });
    proxy = await startProxy();
  });
  afterAll(async () => {
    await Promise.all([server.close(), proxy.close()]);
  });

  it('connects directly', async () => {
    const s = await openTcp('127.0.0.1', server.port, { timeoutMs: 2000 });
    expect(s.remotePort).toBe(server.port);
    s.destroy();
  });

  it('maps a refused direct connection to TCP_REFUSED naming the address', async () => {
    const port = await freePort();
    const e = await codeOf(openTcp('127.0.0.1', port, { timeoutMs: 2000 }));
    expect(e.code).toBe('TCP_REFUSED');
    expect(e.message).toContain(`127.0.0.1:${port}`);
  });

  it('tunnels through the proxy and verifies the chain against the given roots only', async () => {
    const route = proxyFor(new URL(`https://localhost:${server.port}`), proxy.url, {});
    const verified = await tlsHandshake({
      host: 'localhost',
      port: server.port,
      proxy: route,
      timeoutMs: 2000,
      ca: [pki.root.certPem],
    });
    expect(verified).toMatchObject({ protocol: 'TLSv1.3', chainVerified: true });
    expect(verified.chainPem).toHaveLength(3); // leaf, intermediate, and the anchor found in `ca`
    const untrusted = await tlsHandshake({
      host: 'localhost',
      port: server.port,
      proxy: route,
      timeoutMs: 2000,
    });
    expect(untrusted).toMatchObject({
      chainVerified: false,
      verifyError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    });
    expect(untrusted.chainPem).toHaveLength(2);
    expect(proxy.connects).toContain(`localhost:${server.port}`);
  });

  it('the test proxy also carries undici HTTP requests (ProxyAgent, CONNECT)', async () => {
    const { ProxyAgent, request } = await import('undici');
    const agent = new ProxyAgent({ uri: proxy.url, requestTls: { ca: pki.root.certPem } });
    try {
      const res = await request(`https://localhost:${server.port}/`, { dispatcher: agent });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe('ok');
    } finally {
      await agent.close();
    }
  });

  it('a proxy that is down -> TCP_REFUSED naming the proxy', async () => {
    const port = await freePort();
    const route = proxyFor(new URL('https://localhost'), `http://127.0.0.1:${port}`, {});
    const e = await codeOf(openTcp('localhost', 443, { timeoutMs: 2000, proxy: route }));
    expect(e.code).toBe('TCP_REFUSED');
    expect(e.message).toContain(`proxy http://127.0.0.1:${port}`);
  });

  it('a proxy that gets no upstream -> PROXY_REFUSED with 502', async () => {
    const port = await freePort();
    const route = proxyFor(new URL('https://localhost'), proxy.url, {});
    const e = await codeOf(openTcp('localhost', port, { timeoutMs: 2000, proxy: route }));
    expect(e.code).toBe('PROXY_REFUSED');
    expect(e.message).toContain('502');
  });
});

describe('tlsHandshake over an unverified connection', () => {
  it('reads the chain of an untrusted server and sends it no application data at all', async () => {
    const tls = await import('node:tls');
    const pki = await createTestPki('Untrusted Probe Root');
    const received: Buffer[] = [];
    let connections = 0;
    const server = tls.createServer({ key: pki.leaf.keyPem, cert: pki.leaf.chainPem }, (socket) => {
      socket.on('data', (d: Buffer) => received.push(d));
      socket.on('error', () => {});
    });
    server.on('connection', () => {
      connections += 1;
    });
    server.on('tlsClientError', () => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      // Trusting nothing: the chain is judged as data, the connection is never verified.
      const probe = await tlsHandshake({ host: 'localhost', port, timeoutMs: 3000 });
      expect(probe.chainVerified).toBe(false);
      expect(probe.chainPem.length).toBe(2);
      // Let any late write reach the server before judging.
      await new Promise((r) => setTimeout(r, 100));
      expect(connections).toBe(1);
      expect(Buffer.concat(received).length).toBe(0);
    } finally {
      server.close();
    }
  });
});
