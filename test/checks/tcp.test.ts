import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/checks/tcp.ts';
import { netCtx, netTarget } from '../support/net-check-context.ts';
import { freePort, startSilentServer, type TestServer } from '../support/tls-servers.ts';

/** A listener whose accept queue is full: a child process listens with backlog 1 and blocks its event loop,
 * so the kernel drops further SYNs and a new connection attempt times out, as behind a dropping firewall. */
async function startFullBacklog(): Promise<{ port: number; held: net.Socket[]; stop(): void }> {
  const code = `
    const net = require('node:net');
    const s = net.createServer();
    s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(String(s.address().port) + '\\n', () => {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000);
        process.exit(0);
      });
    });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('error', reject);
  });
  // Fill the queue: the first connection completes (kernel queue), later ones hang.
  const held: net.Socket[] = [];
  for (let i = 0; i < 4; i++) {
    await new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      held.push(s);
      const t = setTimeout(resolve, 200);
      s.once('connect', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
  return {
    port,
    held,
    stop: () => {
      for (const s of held) s.destroy();
      child.kill();
    },
  };
}

describe('tcp check', () => {
  let open: TestServer;
  beforeAll(async () => {
    open = await startSilentServer();
  });
  afterAll(() => open.close());

  it('passes when the port accepts, and records reachable addresses', async () => {
    const target = netTarget('localhost', open.port);
    target.facts.addresses = [{ address: '127.0.0.1', family: 4 }];
    const out = await check.run(target, netCtx());
    expect(out.status).toBe('pass');
    expect(out.detail).toMatch(new RegExp(`^127\\.0\\.0\\.1:${open.port} connected in \\d+ ms$`));
    expect(target.facts.reachable).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });

  it('a closed port -> TCP_REFUSED (fail when no address connects)', async () => {
    const port = await freePort();
    const target = netTarget('localhost', port);
    target.facts.addresses = [{ address: '127.0.0.1', family: 4 }];
    const out = await check.run(target, netCtx());
    expect(out).toMatchObject({ status: 'fail', code: 'TCP_REFUSED' });
    expect(out.detail).toContain(`127.0.0.1:${port}: connection refused`);
    expect(target.facts.reachable).toEqual([]);
  });

  it('some addresses refuse, one connects -> warn with the code, per address', async () => {
    // 127.0.0.2 is loopback on Linux but nothing listens there on this port.
    const target = netTarget('localhost', open.port);
    target.facts.addresses = [
      { address: '127.0.0.1', family: 4 },
      { address: '127.0.0.2', family: 4 },
    ];
    const out = await check.run(target, netCtx());
    expect(out).toMatchObject({ status: 'warn', code: 'TCP_REFUSED' });
    expect(out.detail).toContain(`127.0.0.1:${open.port} connected`);
    expect(out.detail).toContain(`127.0.0.2:${open.port}: connection refused`);
    expect(target.facts.reachable).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });

  it.skipIf(process.platform !== 'linux')('SYNs dropped (full accept queue) -> TCP_TIMEOUT', async () => {
    const full = await startFullBacklog();
    try {
      const target = netTarget('localhost', full.port);
      target.facts.addresses = [{ address: '127.0.0.1', family: 4 }];
      const out = await check.run(target, netCtx({ timeoutMs: 400 }));
      expect(out).toMatchObject({ status: 'fail', code: 'TCP_TIMEOUT' });
      expect(out.detail).toContain(`127.0.0.1:${full.port}`);
    } finally {
      full.stop();
    }
  });

  it('with a proxy, connects to the proxy and says so', async () => {
    const target = netTarget('acme.okta.com', 443);
    target.facts.proxy = {
      display: `http://127.0.0.1:${open.port}`,
      url: `http://127.0.0.1:${open.port}/`,
      source: 'env',
    };
    target.facts.addresses = [{ address: '127.0.0.1', family: 4 }];
    const out = await check.run(target, netCtx());
    expect(out.status).toBe('pass');
    expect(out.title).toBe('The proxy accepts connections');
    expect(out.detail).toContain(`127.0.0.1:${open.port} connected`);
    expect(out.detail).toContain(`(proxy http://127.0.0.1:${open.port})`);
  });
});
