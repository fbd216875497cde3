// How many connections a healthy diagnose opens, seen from the issuer: discovery and JWKS travel
// over one connection (the certificate check's handshake, kept because its chain and host name
// verified), the clock reads discovery's Date instead of sending its own request, a private root
// costs no extra handshake when no public root could anchor the chain, and the tls check's
// handshake travels over the tcp check's connection.
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeTemp } from '../support/cli.ts';
import { createTestPki, type TestPki } from '../support/pki.ts';

describe('diagnose reuses verified connections', () => {
  let pki: TestPki;
  let server: https.Server;
  let issuer: string;
  let rootFile: string;
  const seen = { tcp: 0, requests: [] as Array<{ method: string; url: string; socket: Socket }> };
  beforeAll(async () => {
    pki = await createTestPki();
    rootFile = writeTemp(tempDir(), 'root.pem', pki.root.certPem);
    server = https.createServer({ key: pki.leaf.keyPem, cert: pki.leaf.chainPem }, (req, res) => {
      seen.requests.push({ method: req.method ?? '', url: req.url ?? '', socket: req.socket });
      if (req.url === '/oauth2/default/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            issuer,
            authorization_endpoint: `${issuer}/v1/authorize`,
            token_endpoint: `${issuer}/v1/token`,
            jwks_uri: `${issuer}/v1/keys`,
            response_types_supported: ['code'],
            id_token_signing_alg_values_supported: ['RS256'],
          }),
        );
      } else if (req.url === '/oauth2/default/v1/keys') {
        const jwk = new X509Certificate(pki.leaf.certPem).publicKey.export({ format: 'jwk' });
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ keys: [{ ...jwk, kid: 'k1', use: 'sig', alg: 'ES256' }] }));
      } else {
        res.writeHead(404).end();
      }
    });
    server.on('connection', () => seen.tcp++);
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    issuer = `https://localhost:${(server.address() as AddressInfo).port}/oauth2/default`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("discovery and JWKS share the certificate check's verified connection; no request of its own for the clock", async () => {
    const r = await runCli(['diagnose', '--issuer', issuer, '--ca-file', rootFile, '--json'], {
      env: { CORTEX_SSO_PUBLIC_CA_FILE: undefined },
    });
    const doc = JSON.parse(r.stdout) as { results: Array<{ checks: Array<{ id: string; status: string }> }> };
    expect(doc.results[0]?.checks.map((c) => `${c.id}:${c.status}`)).toContain('clock:pass');
    expect(r.code).toBe(0);
    expect(seen.requests.map((q) => `${q.method} ${q.url}`)).toEqual([
      'GET /oauth2/default/.well-known/openid-configuration',
      'GET /oauth2/default/v1/keys',
    ]);
    expect(seen.requests[0]?.socket).toBe(seen.requests[1]?.socket);
    // Two connections: the tcp check's, which then carries the tls check's handshake, and the
    // certificate check's (kept for HTTP). No public root names any issuer in the chain, so no
    // handshake against the public roots alone is needed to tell that the chain is trusted only
    // through --ca-file. Discovery and JWKS open none of their own.
    expect(seen.tcp).toBe(2);
  });
});
