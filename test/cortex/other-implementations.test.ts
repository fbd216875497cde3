// The client against an API that follows the contract loosely, as another team's implementation
// might: 204 on PUT, 202 on DELETE, a 404 body without `type`, no ETag, no version or lastFour.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCortexClient } from '../../src/cortex/client.js';
import { Secret } from '../../src/secret.js';

let server: http.Server;
let base: string;
let stored: Record<string, string> | null = null;
const seen: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} if-match=${req.headers['if-match'] ?? '-'}`);
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const json = (status: number, v: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (req.url === '/api/v1/sso/openid-connector' && req.method === 'GET') {
        if (!stored) return json(404, { message: 'no connector here' });
        return json(200, { type: stored.type, clientId: stored.clientId, issuer: stored.issuer });
      }
      if (req.url === '/api/v1/sso/openid-connector' && req.method === 'PUT') {
        stored = JSON.parse(body);
        res.writeHead(204).end();
        return;
      }
      if (req.url === '/api/v1/sso/openid-connector' && req.method === 'DELETE') {
        stored = null;
        res.writeHead(202).end();
        return;
      }
      if (req.url === '/wrong/api/v1/sso/openid-connector') {
        res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
        return;
      }
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('client against a looser implementation of the contract', () => {
  const token = new Secret('token-for-the-other-implementation');
  const write = {
    type: 'okta' as const,
    clientId: '0oa1',
    clientSecret: new Secret('s'.repeat(40)),
    issuer: 'https://acme.okta.com',
  };

  it('reads "no connector" from a 404 JSON body without a type, creates with 204, reads back', async () => {
    const client = createCortexClient({ baseUrl: base, token, sleep: async () => {} });
    expect(await client.getConnector()).toBeNull();
    const put = await client.putConnector(write);
    expect(put.connector).toMatchObject({
      clientId: '0oa1',
      issuer: 'https://acme.okta.com',
      clientSecretLastFour: '',
      version: 0,
    });
    // No ETag and no version: nothing to send as If-Match, rather than a made-up one.
    expect(put.etag).toBe('');
    expect(seen.at(-1)).toMatch(/^GET .* if-match=-$/);
    expect(await client.deleteConnector()).toBe(true);
    expect(stored).toBeNull();
  });

  it('still reports an HTML 404 as a wrong API URL, not as "no connector"', async () => {
    const client = createCortexClient({ baseUrl: `${base}/wrong`, token, sleep: async () => {} });
    await expect(client.getConnector()).rejects.toMatchObject({
      code: 'API_ERROR',
      message: expect.stringMatching(/API URL/),
    });
  });
});
