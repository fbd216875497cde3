import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check as certificate } from '../../src/checks/certificate.ts';
import { check as dns } from '../../src/checks/dns.ts';
import { check as proxy } from '../../src/checks/proxy.ts';
import { check as tcp } from '../../src/checks/tcp.ts';
import { check as tls } from '../../src/checks/tls.ts';
import type { Check, CheckContext, CheckOutcome } from '../../src/checks/types.ts';
import { CODES } from '../../src/codes.ts';
import { createNetContext } from '../../src/net/create.ts';
import { netCtx, netTarget } from '../support/net-check-context.ts';
import { createTestPki, type TestPki } from '../support/pki.ts';
import { startProxy, type TestProxy } from '../support/proxy-server.ts';
import { freePort, startTlsServer, type TestServer } from '../support/tls-servers.ts';

/** Runs proxy -> dns -> tcp -> tls -> certificate like the runner: stop at the first failure. */
async function runChain(host: string, port: number, ctx: CheckContext) {
  const target = netTarget(host, port);
  const results: Record<string, CheckOutcome> = {};
  for (const c of [proxy, dns, tcp, tls, certificate] as Check[]) {
    const out = await c.run(target, ctx);
    results[c.id] = out;
    if (out.status === 'fail') break;
  }
  return { target, results };
}

describe('proxy check and tunnelled checks', () => {
  let pki: TestPki;
  let issuer: TestServer;
  const proxies: TestProxy[] = [];
  beforeAll(async () => {
    pki = await createTestPki();
    const leaf = await pki.issueLeaf({ hosts: ['issuer.example', 'localhost'] });
    issuer = await startTlsServer({ keyPem: leaf.keyPem, certPem: leaf.chainPem });
  });
  afterAll(async () => {
    await Promise.all([issuer.close(), ...proxies.map((p) => p.close())]);
  });
  const startP = async (opts: Parameters<typeof startProxy>[0]) => {
    const p = await startProxy({ hosts: { 'issuer.example': '127.0.0.1' }, ...opts });
    proxies.push(p);
    return p;
  };

  it('no proxy variables -> "direct connection"', async () => {
    const target = netTarget('localhost', issuer.port);
    const out = await proxy.run(target, netCtx());
    expect(out).toMatchObject({ status: 'pass', detail: 'direct connection' });
    expect(target.facts.proxy).toBeNull();
  });

  it('HTTPS_PROXY applies: named without credentials, and tls + certificate go through the tunnel', async () => {
    const p = await startP({ auth: { user: 'alice', pass: 's3cret' } });
    const env = { HTTPS_PROXY: `http://alice:s3cret@127.0.0.1:${p.port}` };
    // issuer.example does not resolve here: only the proxy knows it, as behind a corporate proxy.
    const { results } = await runChain(
      'issuer.example',
      issuer.port,
      netCtx({ env, publicRoots: [pki.root.certPem] }),
    );
    expect(results.proxy).toMatchObject({ status: 'pass', title: 'The proxy opens a tunnel to the issuer' });
    expect(results.proxy?.detail).toContain(`via proxy http://127.0.0.1:${p.port} (from HTTPS_PROXY)`);
    expect(results.proxy?.detail).toContain(`CONNECT issuer.example:${issuer.port} accepted`);
    expect(results.dns?.detail).toContain('proxy host 127.0.0.1');
    expect(results.tcp?.status).toBe('pass');
    expect(results.tls?.status).toBe('pass');
    expect(results.tls?.detail).toContain(`through proxy http://127.0.0.1:${p.port}`);
    expect(results.certificate?.status).toBe('pass');
    expect(p.connects).toContain(`issuer.example:${issuer.port}`);
    expect(JSON.stringify(results)).not.toContain('s3cret');
  });

  it('--proxy applies and is named as the flag', async () => {
    const p = await startP({});
    const out = await proxy.run(netTarget('localhost', issuer.port), netCtx({ proxyFlag: p.url }));
    expect(out.status).toBe('pass');
    expect(out.detail).toContain(`via proxy ${p.url} (from --proxy)`);
  });

  it('NO_PROXY bypasses the proxy: direct connection, proxy never asked', async () => {
    const p = await startP({});
    const env = { HTTPS_PROXY: p.url, NO_PROXY: 'example.com,localhost' };
    const { results } = await runChain(
      'localhost',
      issuer.port,
      netCtx({ env, publicRoots: [pki.root.certPem] }),
    );
    expect(results.proxy?.detail).toBe('direct connection (localhost matches "localhost" in NO_PROXY)');
    expect(results.tls?.status).toBe('pass');
    expect(p.connects).toEqual([]);
  });

  it('407 from the proxy -> PROXY_REFUSED on the proxy check, blaming the proxy; no later layer runs', async () => {
    const p = await startP({ auth: { user: 'alice', pass: 's3cret' } });
    const { results } = await runChain(
      'issuer.example',
      issuer.port,
      netCtx({ env: { https_proxy: p.url } }),
    );
    expect(results.proxy).toMatchObject({ status: 'fail', code: 'PROXY_REFUSED' });
    expect(results.proxy?.detail).toContain(`proxy ${p.url}`);
    expect(results.proxy?.detail).toContain('407');
    expect(results.proxy?.detail).toContain('needs credentials');
    expect(results.proxy?.detail).not.toMatch(/okta|issuer/i);
    expect(results.tcp).toBeUndefined();
    expect(results.tls).toBeUndefined();
  });

  it('wrong proxy credentials -> PROXY_REFUSED saying they were rejected, secret not shown', async () => {
    const p = await startP({ auth: { user: 'alice', pass: 's3cret' } });
    const env = { HTTPS_PROXY: `http://alice:wrongpw@127.0.0.1:${p.port}` };
    const { results } = await runChain('issuer.example', issuer.port, netCtx({ env }));
    expect(results.proxy).toMatchObject({ status: 'fail', code: 'PROXY_REFUSED' });
    expect(results.proxy?.detail).toContain('credentials in the proxy URL were rejected');
    expect(JSON.stringify(results)).not.toContain('wrongpw');
  });

  it('403 from the proxy -> PROXY_REFUSED', async () => {
    const p = await startP({ deny: ['issuer.example'] });
    const { results } = await runChain(
      'issuer.example',
      issuer.port,
      netCtx({ env: { HTTPS_PROXY: p.url } }),
    );
    expect(results.proxy).toMatchObject({ status: 'fail', code: 'PROXY_REFUSED' });
    expect(results.proxy?.detail).toContain('403 Forbidden');
  });

  it('a proxy that resets the tunnel request -> PROXY_REFUSED', async () => {
    const p = await startP({ reset: true });
    const { results } = await runChain(
      'issuer.example',
      issuer.port,
      netCtx({ env: { HTTPS_PROXY: p.url } }),
    );
    expect(results.proxy).toMatchObject({ status: 'fail', code: 'PROXY_REFUSED' });
    expect(results.proxy?.detail).toContain(`proxy ${p.url}`);
  });

  it('a proxy nobody listens on -> PROXY_UNREACHABLE with advice about the proxy, not the issuer', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const { results } = await runChain('issuer.example', issuer.port, netCtx({ proxyFlag: url }));
    expect(results.proxy).toMatchObject({ status: 'fail', code: 'PROXY_UNREACHABLE' });
    expect(results.proxy?.detail).toContain(`proxy ${url}`);
    expect(results.proxy?.detail).toContain('TCP_REFUSED');
    expect(CODES.PROXY_UNREACHABLE.advice).toMatch(/proxy/);
    expect(CODES.PROXY_UNREACHABLE.advice).not.toMatch(/okta/i);
    expect(results.dns).toBeUndefined();
  });

  it('a --proxy that is not a URL is a usage error before any check runs', () => {
    expect(() => createNetContext({ proxyFlag: 'not a url', timeoutMs: 1000, env: {} })).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID' }),
    );
  });

  it('a malformed proxy setting fails the proxy check with INPUT_INVALID', async () => {
    const out = await proxy.run(
      netTarget('localhost', 443),
      netCtx({ env: { HTTPS_PROXY: 'socks5://p:1080' } }),
    );
    expect(out).toMatchObject({ status: 'fail', code: 'INPUT_INVALID' });
    expect(out.detail).toContain('HTTPS_PROXY');
  });
});
