// HTTPS servers on 127.0.0.1 that answer discovery and JWKS requests the wrong ways a real issuer
// (or something in front of it) can: one server, one path prefix per case, so each case is an
// issuer of its own: https://localhost:PORT/cases/{case}. Erasable TypeScript, `.ts` imports.
import { generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import type { TestLeaf } from './pki.ts';

export const FIXTURE_CASES = [
  'healthy',
  'not-found',
  'server-error',
  'html',
  'wrong-content-type',
  'endless',
  'issuer-slash',
  'missing-fields',
  'http-endpoints',
  'redirect',
  'jwks-empty',
  'jwks-malformed',
  'jwks-not-found',
  'skew-7m',
  'skew-45s',
  'skew-behind-7m',
  'split-closed',
  'split-ok',
  'stall-headers',
  'stall-body',
] as const;
export type FixtureCase = (typeof FIXTURE_CASES)[number];

export interface HttpFixtures {
  /** https://localhost:PORT */
  origin: string;
  port: number;
  /** The issuer URL of one case (no trailing slash). */
  issuer(c: FixtureCase): string;
  /** A second server on 127.0.0.1 (another host:port) serving the healthy JWKS at /keys. */
  secondOrigin: string;
  /** A 127.0.0.1 port that was bound and released: nothing listens there. */
  closedPort: number;
  /** Resolves with the bytes written once the latest endless response was closed by the client. */
  endlessClosed(): Promise<number>;
  /** How many endless responses have been closed so far. */
  endlessClosedCount(): number;
  close(): Promise<void>;
}

const SKEW: Partial<Record<FixtureCase, number>> = {
  'skew-7m': 7 * 60_000,
  'skew-45s': 45_000,
  'skew-behind-7m': -7 * 60_000,
};

function healthyJwks(): { keys: Record<string, unknown>[] } {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  return { keys: [{ ...jwk, kid: 'fixture-key-1', alg: 'ES256', use: 'sig' }] };
}

function discoveryDoc(issuer: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    issuer,
    authorization_endpoint: `${issuer}/v1/authorize`,
    token_endpoint: `${issuer}/v1/token`,
    userinfo_endpoint: `${issuer}/v1/userinfo`,
    jwks_uri: `${issuer}/v1/keys`,
    response_types_supported: ['code', 'id_token', 'code id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'ES256'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    ...overrides,
  };
  for (const [k, v] of Object.entries(doc)) if (v === undefined) delete doc[k];
  return doc;
}

/** Send a JSON answer; returns true so handlers can `return json(...)`. */
function json(res: ServerResponse, status: number, body: unknown, type = 'application/json'): true {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
  return true;
}

async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function listen(server: https.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function stopServer(server: https.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export async function startHttpFixtures(opts: { tls: TestLeaf }): Promise<HttpFixtures> {
  const jwks = healthyJwks();
  const tlsOpts = { key: opts.tls.keyPem, cert: opts.tls.chainPem };
  const dead = await closedPort();

  const second = https.createServer(tlsOpts, (req, res) => {
    if (req.url === '/keys') json(res, 200, jwks);
    else json(res, 404, { error: 'not_found' });
  });
  const secondPort = await listen(second);
  const secondOrigin = `https://127.0.0.1:${secondPort}`;

  let origin = '';
  let endless: Promise<number> = Promise.resolve(0);
  let endlessCount = 0;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const m = /^\/cases\/([a-z0-9-]+)(\/.*)?$/.exec((req.url ?? '/').split('?')[0] ?? '/');
    const c = m?.[1] as FixtureCase | undefined;
    const rest = m?.[2] ?? '/';
    if (!c || !(FIXTURE_CASES as readonly string[]).includes(c)) {
      json(res, 404, { error: 'no such case' });
      return;
    }
    const issuer = `${origin}/cases/${c}`;
    const skew = SKEW[c];
    if (skew !== undefined) res.setHeader('date', new Date(Date.now() + skew).toUTCString());

    if (rest === '/v1/keys') {
      if (c === 'jwks-empty') return json(res, 200, { keys: [] });
      if (c === 'jwks-not-found') return json(res, 404, { errorCode: 'E0000022', errorSummary: 'Not found' });
      if (c === 'jwks-malformed') {
        return json(res, 200, {
          keys: [
            { kty: 'RSA', kid: 'rsa-no-modulus', alg: 'RS256', use: 'sig' },
            { kid: 'no-kty', alg: 'RS256' },
            { ...jwks.keys[0], kid: 'bad-alg', alg: 'HS999' },
          ],
        });
      }
      return json(res, 200, jwks);
    }
    if (rest !== '/.well-known/openid-configuration') {
      if (rest === '/' || rest === '') {
        // The issuer root: what the clock check's HEAD sees.
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(req.method === 'HEAD' ? undefined : '{"error":"not_found"}');
        return;
      }
      return json(res, 404, { error: 'not_found' });
    }

    switch (c) {
      case 'not-found':
        return json(res, 404, {
          errorCode: 'E0000007',
          errorSummary: 'Not found: Resource not found: nosuchserver (AuthorizationServer)',
        });
      case 'server-error':
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Internal Server Error');
        return;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          '<!DOCTYPE html><html><head><title>Access Denied</title></head><body><h1>Web Proxy: Access Denied</h1><p>Your request was blocked by corporate policy.</p></body></html>',
        );
        return;
      case 'wrong-content-type':
        return json(res, 200, discoveryDoc(issuer), 'text/plain');
      case 'endless': {
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        let sent = 0;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"padding":"');
        endless = new Promise<number>((resolve) =>
          res.once('close', () => {
            endlessCount += 1;
            resolve(sent);
          }),
        );
        // Honour back-pressure: write while the socket takes it, then wait for drain; stop on close.
        const pump = (): void => {
          while (!res.destroyed && !res.writableEnded) {
            sent += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
        };
        pump();
        return;
      }
      case 'issuer-slash':
        return json(res, 200, discoveryDoc(`${issuer}/`));
      case 'missing-fields':
        return json(
          res,
          200,
          discoveryDoc(issuer, {
            token_endpoint: undefined,
            jwks_uri: undefined,
            response_types_supported: ['token', 'id_token'],
          }),
        );
      case 'http-endpoints':
        return json(
          res,
          200,
          discoveryDoc(issuer, { token_endpoint: `${issuer.replace('https:', 'http:')}/v1/token` }),
        );
      case 'redirect':
        res.writeHead(301, { location: '/cases/healthy/.well-known/openid-configuration' });
        res.end();
        return;
      case 'split-closed':
        return json(
          res,
          200,
          discoveryDoc(issuer, {
            token_endpoint: `https://127.0.0.1:${dead}/oauth2/v1/token`,
            jwks_uri: `https://127.0.0.1:${dead}/oauth2/v1/keys`,
          }),
        );
      case 'split-ok':
        return json(res, 200, discoveryDoc(issuer, { jwks_uri: `${secondOrigin}/keys` }));
      case 'stall-headers':
        // Never answer; the server's close() destroys the socket.
        return;
      case 'stall-body':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"issuer":');
        return;
      default:
        return json(res, 200, discoveryDoc(issuer));
    }
  };

  const server = https.createServer(tlsOpts, handle);
  const port = await listen(server);
  origin = `https://localhost:${port}`;

  return {
    origin,
    port,
    issuer: (c) => `${origin}/cases/${c}`,
    secondOrigin,
    closedPort: dead,
    endlessClosed: () => endless,
    endlessClosedCount: () => endlessCount,
    close: async () => {
      await Promise.all([stopServer(server), stopServer(second)]);
    },
  };
}
