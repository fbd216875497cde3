import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/checks/dns.ts';
import { createDnsResolver, resolverFromEnv } from '../../src/net/resolver.ts';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { netCtx, netTarget } from '../support/net-check-context.ts';

describe('dns check', () => {
  let server: TestDnsServer;
  beforeAll(async () => {
    server = await startDnsServer({
      'issuer.test': { a: ['127.0.0.1', '127.0.0.2'], aaaa: ['::1'] },
      'v4only.test': { a: ['127.0.0.3'] },
      'broken.test': 'servfail',
      'refused.test': 'refused',
      'silent.test': 'silent',
    });
  });
  afterAll(() => server.close());

  const viaServer = (timeoutMs = 3000) =>
    netCtx({ resolver: createDnsResolver([server.address], { timeoutMs }), timeoutMs });

  it('a name under .invalid does not exist (asked of the test DNS server, not the OS resolver)', async () => {
    const out = await check.run(netTarget('no-such-org.invalid', 443), viaServer());
    expect(server.queries).toContain('no-such-org.invalid');
    expect(out).toMatchObject({ status: 'fail', code: 'DNS_NOT_FOUND' });
    expect(out.detail).toContain('no-such-org.invalid');
    expect(out.detail).toContain('does not exist');
  });

  it('localhost resolves with the OS resolver and lists the address', async () => {
    const target = netTarget('localhost', 443);
    const out = await check.run(target, netCtx());
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('127.0.0.1 (A)');
    expect(target.facts.addresses).toContainEqual({ address: '127.0.0.1', family: 4 });
  });

  it('lists every A and AAAA answer from the DNS server', async () => {
    const target = netTarget('issuer.test', 443);
    const out = await check.run(target, viaServer());
    expect(out.status).toBe('pass');
    expect(out.detail).toMatch(
      /^issuer\.test -> 127\.0\.0\.1 \(A\), 127\.0\.0\.2 \(A\), ::1 \(AAAA\) in \d+ ms$/,
    );
    expect(target.facts.addresses).toEqual([
      { address: '127.0.0.1', family: 4 },
      { address: '127.0.0.2', family: 4 },
      { address: '::1', family: 6 },
    ]);
    expect(server.queries).toContain('issuer.test');
  });

  it('an A record without AAAA is fine', async () => {
    const target = netTarget('v4only.test', 443);
    const out = await check.run(target, viaServer());
    expect(out.status).toBe('pass');
    expect(target.facts.addresses).toEqual([{ address: '127.0.0.3', family: 4 }]);
  });

  it('NXDOMAIN -> DNS_NOT_FOUND', async () => {
    const out = await check.run(netTarget('typo.test', 443), viaServer());
    expect(out).toMatchObject({ status: 'fail', code: 'DNS_NOT_FOUND' });
    expect(out.detail).toContain('typo.test');
  });

  it('SERVFAIL and REFUSED -> DNS_FAILURE', async () => {
    const out = await check.run(netTarget('broken.test', 443), viaServer());
    expect(out).toMatchObject({ status: 'fail', code: 'DNS_FAILURE' });
    expect(out.detail).toContain('SERVFAIL');
    const refused = await check.run(netTarget('refused.test', 443), viaServer());
    expect(refused).toMatchObject({ status: 'fail', code: 'DNS_FAILURE' });
    expect(refused.detail).toContain('REFUSED');
  });

  it('a silent server -> DNS_TIMEOUT within the check timeout', async () => {
    const out = await check.run(netTarget('silent.test', 443), viaServer(300));
    expect(out).toMatchObject({ status: 'fail', code: 'DNS_TIMEOUT' });
    expect(out.detail).toContain('silent.test');
  });

  it('CORTEX_SSO_DNS_SERVERS selects the DNS server', async () => {
    const resolver = resolverFromEnv({ CORTEX_SSO_DNS_SERVERS: server.address });
    const list = await resolver.lookup('v4only.test', AbortSignal.timeout(3000));
    expect(list).toEqual([{ address: '127.0.0.3', family: 4 }]);
  });

  it('with a proxy, resolves the proxy host and says so', async () => {
    const target = netTarget('issuer.test', 443);
    target.facts.proxy = {
      display: 'http://v4only.test:3128',
      url: 'http://v4only.test:3128/',
      source: 'env',
    };
    const out = await check.run(target, viaServer());
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('proxy host v4only.test -> 127.0.0.3 (A)');
    expect(out.detail).toContain('resolves issuer.test itself');
  });
});
