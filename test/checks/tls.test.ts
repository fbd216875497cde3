import type { AddressInfo, Socket } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { check as tcpCheck } from '../../src/checks/tcp.ts';
import { check } from '../../src/checks/tls.ts';
import { netCtx, netTarget } from '../support/net-check-context.ts';
import { createTestPki, type TestPki } from '../support/pki.ts';
import {
  startOldTlsServer,
  startPlainHttpServer,
  startSilentServer,
  startTlsServer,
  type TestServer,
} from '../support/tls-servers.ts';

describe('tls check', () => {
  let pki: TestPki;
  const servers: TestServer[] = [];
  beforeAll(async () => {
    pki = await createTestPki();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const keep = (s: TestServer) => {
    servers.push(s);
    return s;
  };
  const ctx = (timeoutMs = 3000) => netCtx({ caPems: [pki.root.certPem], timeoutMs });

  it('healthy server: TLS 1.3, cipher, ALPN, chain as sent in facts', async () => {
    const s = keep(await startTlsServer({ keyPem: pki.leaf.keyPem, certPem: pki.leaf.chainPem }));
    const target = netTarget('localhost', s.port);
    const out = await check.run(target, ctx());
    expect(out.status).toBe('pass');
    expect(out.detail).toMatch(/^TLSv1\.3, TLS_AES_\w+, ALPN http\/1\.1$/);
    expect(target.facts.tls).toMatchObject({ protocol: 'TLSv1.3', alpn: 'http/1.1' });
    // Leaf + intermediate exactly as sent: the trusted root is not added.
    expect(target.facts.tls?.chainPem).toHaveLength(2);
  });

  it('TLS 1.0/1.1-only server -> TLS_PROTOCOL_TOO_OLD naming the version it spoke', async () => {
    const s = keep(await startOldTlsServer(pki.leaf));
    const out = await check.run(netTarget('localhost', s.port), ctx());
    expect(out).toMatchObject({ status: 'fail', code: 'TLS_PROTOCOL_TOO_OLD' });
    expect(out.detail).toContain('negotiated TLSv1.1');
    expect(out.data).toMatchObject({ protocol: 'TLSv1.1' });
  });

  it('plain HTTP listener -> TLS_NOT_TLS', async () => {
    const s = keep(await startPlainHttpServer());
    const out = await check.run(netTarget('localhost', s.port), ctx());
    expect(out).toMatchObject({ status: 'fail', code: 'TLS_NOT_TLS' });
    expect(out.detail).toContain('plain');
  });

  it('a port that accepts and never answers -> TLS_TIMEOUT', async () => {
    const s = keep(await startSilentServer());
    const out = await check.run(netTarget('localhost', s.port), ctx(300));
    expect(out).toMatchObject({ status: 'fail', code: 'TLS_TIMEOUT' });
    expect(out.detail).toContain('300 ms');
  });

  it('a server that resets the handshake -> TLS_HANDSHAKE_FAILED', async () => {
    const net = await import('node:net');
    const server = net.createServer((sock) => {
      sock.once('data', () => sock.resetAndDestroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as import('node:net').AddressInfo).port;
    try {
      const out = await check.run(netTarget('localhost', port), ctx());
      expect(out).toMatchObject({ status: 'fail', code: 'TLS_HANDSHAKE_FAILED' });
      expect(out.detail).toContain('reset');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  describe("on the tcp check's connection", () => {
    /** A TLS server that counts the connections it accepts and can drop them all. */
    async function countingServer() {
      const sockets: Socket[] = [];
      const server = tls.createServer({ key: pki.leaf.keyPem, cert: pki.leaf.chainPem }, (s) => {
        s.on('error', () => {});
      });
      server.on('connection', (s: Socket) => sockets.push(s));
      server.on('tlsClientError', () => {});
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      servers.push({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((resolve) => {
            for (const s of sockets) s.destroy();
            server.close(() => resolve());
          }),
      });
      return { port: (server.address() as AddressInfo).port, sockets };
    }

    /** The tcp check as the runner runs it before tls (dns found 127.0.0.1, no proxy). */
    async function afterTcp(port: number) {
      const target = netTarget('localhost', port);
      target.facts.proxy = null;
      target.facts.addresses = [{ address: '127.0.0.1', family: 4 }];
      expect((await tcpCheck.run(target, ctx())).status).toBe('pass');
      return target;
    }

    it('the handshake travels over the connection the tcp check opened: one connection for both', async () => {
      const srv = await countingServer();
      const target = await afterTcp(srv.port);
      expect(target.facts.openConnection).toBeDefined();
      const out = await check.run(target, ctx());
      expect(out.status).toBe('pass');
      expect(target.facts.openConnection).toBeUndefined();
      expect(srv.sockets).toHaveLength(1);
    });

    it('a connection dropped while idle is replaced by a new one, not reported as a TLS failure', async () => {
      const srv = await countingServer();
      const target = await afterTcp(srv.port);
      // The server (or a middlebox) closes the idle connection before the tls check runs, and the
      // client has seen it go.
      await vi.waitFor(() => expect(srv.sockets).toHaveLength(1));
      const idle = target.facts.openConnection;
      const closed = new Promise((resolve) => idle?.once('close', resolve));
      for (const s of srv.sockets) s.destroy();
      await closed;
      const out = await check.run(target, ctx());
      expect(out.status).toBe('pass');
      expect(srv.sockets).toHaveLength(2);
    });
  });
});
