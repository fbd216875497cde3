// A minimal OpenID issuer for the benchmarks: discovery and JWKS as static JSON over HTTPS (a real
// TLS server with a generated chain), optionally waiting `delayMs` before each answer, like an
// issuer far away. Far lighter than a full OpenID provider, so the bench process (which serves the
// issuers) takes as little CPU from the measured CLI as possible. Plain `node` runs this file.
import { generateKeyPairSync } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import type { TestLeaf } from '../test/support/pki.ts';

export interface BenchIssuer {
  issuer: string;
  port: number;
  close(): Promise<void>;
}

const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const JWKS = JSON.stringify({
  keys: [{ ...(publicKey.export({ format: 'jwk' }) as object), kid: 'bench-1', alg: 'ES256', use: 'sig' }],
});

export async function startBenchIssuer(tls: TestLeaf, path: string, delayMs = 0): Promise<BenchIssuer> {
  let issuer = '';
  let discovery = '';
  const server = https.createServer({ key: tls.keyPem, cert: tls.chainPem }, (req, res) => {
    const send = () => {
      const url = req.url ?? '/';
      if (url === `${path}/.well-known/openid-configuration`) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(discovery);
      } else if (url === `${path}/keys`) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JWKS);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  issuer = `https://localhost:${port}${path}`;
  discovery = JSON.stringify({
    issuer,
    authorization_endpoint: `${issuer}/v1/authorize`,
    token_endpoint: `${issuer}/v1/token`,
    jwks_uri: `${issuer}/keys`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'ES256'],
  });
  return {
    issuer,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port that accepts TCP connections and never says a word: a blackholing middlebox. */
export async function startBlackhole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
