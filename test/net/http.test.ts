import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, createDispatcher } from '../../src/net/dispatcher.js';
import { HttpTimeoutError, httpGet } from '../../src/net/http.js';
import { type HttpFixtures, startHttpFixtures } from '../support/http-fixtures.ts';
import { createTestPki, type TestPki } from '../support/pki.ts';

const MiB = 1024 * 1024;
let pki: TestPki;
let fx: HttpFixtures;

beforeAll(async () => {
  pki = await createTestPki();
  fx = await startHttpFixtures({ tls: pki.leaf });
});
afterAll(async () => {
  await closeAll();
  await fx?.close();
});

const dispatcher = () => createDispatcher({ ca: [pki.root.certPem], proxy: null, connectTimeoutMs: 3000 });
const wellKnown = (c: Parameters<HttpFixtures['issuer']>[0]) =>
  `${fx.issuer(c)}/.well-known/openid-configuration`;

describe('httpGet', () => {
  it('returns status, headers and the whole body when it fits', async () => {
    const res = await httpGet(wellKnown('healthy'), {
      dispatcher: dispatcher(),
      timeoutMs: 3000,
      maxBytes: MiB,
    });
    expect(res.status).toBe(200);
    expect(res.truncated).toBe(false);
    expect(JSON.parse(res.body.toString()).issuer).toBe(fx.issuer('healthy'));
    expect(res.headers.date).toBeTypeOf('string');
  });

  it('stops an endless body at maxBytes and hangs up', async () => {
    const before = fx.endlessClosedCount();
    const res = await httpGet(wellKnown('endless'), {
      dispatcher: dispatcher(),
      timeoutMs: 10_000,
      maxBytes: MiB,
    });
    expect(res.status).toBe(200);
    expect(res.truncated).toBe(true);
    expect(res.body.length).toBe(MiB);
    // The server sees the client go away: it stops writing, having sent a bounded amount.
    const sent = await fx.endlessClosed();
    expect(fx.endlessClosedCount()).toBe(before + 1);
    expect(sent).toBeLessThan(64 * MiB);
  });

  it('marks a small cap as truncated and keeps exactly maxBytes', async () => {
    const res = await httpGet(wellKnown('healthy'), {
      dispatcher: dispatcher(),
      timeoutMs: 3000,
      maxBytes: 10,
    });
    expect(res.truncated).toBe(true);
    expect(res.body.toString()).toBe('{"issuer":');
  });

  it('times out a server that never answers (headers phase)', async () => {
    const err = await httpGet(wellKnown('stall-headers'), {
      dispatcher: dispatcher(),
      timeoutMs: 300,
      maxBytes: MiB,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpTimeoutError);
    expect((err as HttpTimeoutError).phase).toBe('headers');
  });

  it('times out a body that stalls half way (body phase)', async () => {
    // Room for the handshake and the headers on a loaded machine; the body never finishes anyway.
    const err = await httpGet(wellKnown('stall-body'), {
      dispatcher: dispatcher(),
      timeoutMs: 2000,
      maxBytes: MiB,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpTimeoutError);
    expect((err as HttpTimeoutError).phase).toBe('body');
  });

  it('does not follow redirects', async () => {
    const res = await httpGet(wellKnown('redirect'), {
      dispatcher: dispatcher(),
      timeoutMs: 3000,
      maxBytes: MiB,
    });
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/cases/healthy/.well-known/openid-configuration');
  });

  it('stops when the caller aborts', async () => {
    const ac = new AbortController();
    const p = httpGet(wellKnown('stall-headers'), {
      dispatcher: dispatcher(),
      timeoutMs: 10_000,
      maxBytes: MiB,
      signal: ac.signal,
    });
    setTimeout(() => ac.abort(new Error('user cancelled')), 50);
    await expect(p).rejects.toThrow('user cancelled');
  });

  it('refuses a server whose chain is not trusted', async () => {
    const other = await createTestPki('Some Other Root');
    const d = createDispatcher({ ca: [other.root.certPem], proxy: null, connectTimeoutMs: 3000 });
    const err = (await httpGet(wellKnown('healthy'), { dispatcher: d, timeoutMs: 3000, maxBytes: MiB }).catch(
      (e: unknown) => e,
    )) as {
      code?: string;
    };
    expect(err.code).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('checks an IP-literal issuer against its IP: a certificate for localhost only is refused at 127.0.0.1', async () => {
    const leaf = await pki.issueLeaf({ hosts: ['localhost'] });
    const server = tls.createServer({ key: leaf.keyPem, cert: leaf.chainPem }, (s) => {
      s.on('error', () => {});
      s.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (server.address() as AddressInfo).port;
      const get = (host: string) =>
        httpGet(`https://${host}:${port}/`, {
          dispatcher: dispatcher(),
          timeoutMs: 3000,
          maxBytes: MiB,
        }).catch((e: unknown) => e as { code?: string });
      expect(await get('127.0.0.1')).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      expect(await get('localhost')).toMatchObject({ status: 200 });
    } finally {
      server.close();
    }
  });
});
