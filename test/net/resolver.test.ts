import { describe, expect, it } from 'vitest';
import { check } from '../../src/checks/dns.ts';
import { createDefaultResolver, createDnsResolver } from '../../src/net/resolver.ts';
import { startDnsServer } from '../support/dns-server.ts';
import { netCtx, netTarget } from '../support/net-check-context.ts';

describe('resolvers', () => {
  it('the default resolver times out via the signal with ETIMEOUT', async () => {
    const r = createDefaultResolver();
    const ac = new AbortController();
    ac.abort(new DOMException('timeout', 'TimeoutError'));
    await expect(r.lookup('localhost', ac.signal)).rejects.toMatchObject({ code: 'ETIMEOUT' });
  });

  it('a name that exists without addresses -> DNS_NOT_FOUND saying so', async () => {
    const server = await startDnsServer({ 'empty.test': {} });
    try {
      const ctx = netCtx({ resolver: createDnsResolver([server.address]) });
      const out = await check.run(netTarget('empty.test', 443), ctx);
      expect(out).toMatchObject({ status: 'fail', code: 'DNS_NOT_FOUND' });
      expect(out.detail).toContain('no A or AAAA record');
    } finally {
      await server.close();
    }
  });

  it('a DNS server that is down -> DNS_FAILURE (or DNS_TIMEOUT), never a TCP code', async () => {
    const server = await startDnsServer({});
    await server.close(); // nothing listens on that UDP port any more
    const ctx = netCtx({
      resolver: createDnsResolver([server.address], { timeoutMs: 300 }),
      timeoutMs: 1000,
    });
    const out = await check.run(netTarget('issuer.test', 443), ctx);
    expect(out.status).toBe('fail');
    expect(['DNS_FAILURE', 'DNS_TIMEOUT']).toContain(out.code);
  });

  it('an IP literal needs no lookup', async () => {
    const target = netTarget('127.0.0.1', 443);
    const out = await check.run(target, netCtx());
    expect(out).toMatchObject({ status: 'pass', title: 'No DNS lookup needed' });
    expect(target.facts.addresses).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });
});
