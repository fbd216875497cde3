// TLS (and not-quite-TLS) servers on 127.0.0.1 for every case the tls and certificate checks judge.
// Imported by plain `node` scripts too: erasable TypeScript and `.ts` import paths only.
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { createIntermediateCa, createRootCa, issueLeaf, type TestLeaf, type TestPki } from './pki.ts';

const DAY = 86_400_000;

export interface TestServer {
  host: '127.0.0.1';
  port: number;
  close(): Promise<void>;
  /**
   * TLS servers: how many connections came in so far, each one a handshake (counted on accept:
   * a client that finished its handshake has been accepted, whatever the server has processed since).
   */
  handshakes?(): number;
}

function track(server: net.Server): () => Promise<void> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A TLS server's 'connection' is the raw TCP socket; destroying it ends the TLS socket too.
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

async function listen(server: net.Server): Promise<TestServer> {
  const close = track(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return { host: '127.0.0.1', port, close };
}

export interface TlsServerOptions {
  keyPem: string;
  /** What the server sends: leaf alone, leaf + intermediate, or leaf + intermediate + root. */
  certPem: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
  ALPNProtocols?: string[];
}

/** A TLS server that answers any HTTP request with 200 "ok". */
export function startTlsServer(opts: TlsServerOptions): Promise<TestServer> {
  const server = tls.createServer(
    {
      key: opts.keyPem,
      cert: opts.certPem,
      ...(opts.minVersion ? { minVersion: opts.minVersion } : {}),
      ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
      ...(opts.ciphers ? { ciphers: opts.ciphers } : {}),
      ALPNProtocols: opts.ALPNProtocols ?? ['http/1.1'],
    },
    (socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        socket.end(
          'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok',
        );
      });
    },
  );
  server.on('tlsClientError', () => {});
  let handshakes = 0;
  server.on('connection', () => handshakes++);
  return listen(server).then((s) => ({ ...s, handshakes: () => handshakes }));
}

/** A server limited to TLS 1.0/1.1 (legacy ciphers allowed, as old servers and middleboxes do). */
export function startOldTlsServer(leaf: TestLeaf): Promise<TestServer> {
  return startTlsServer({
    keyPem: leaf.keyPem,
    certPem: leaf.chainPem,
    minVersion: 'TLSv1',
    maxVersion: 'TLSv1.1',
    ciphers: 'DEFAULT@SECLEVEL=0',
  });
}

/** Plain HTTP where TLS is expected. */
export function startPlainHttpServer(): Promise<TestServer> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('plain http');
  });
  return listen(server);
}

/** Accepts TCP connections and never sends a byte. */
export function startSilentServer(): Promise<TestServer> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
  });
  return listen(server);
}

/** A port on 127.0.0.1 with nothing listening (bound, then closed). */
export async function freePort(): Promise<number> {
  const s = await startSilentServer();
  await s.close();
  return s.port;
}

/** Leaves for every certificate verdict, all valid for localhost / 127.0.0.1 unless the case says otherwise. */
export interface CertScenarios {
  healthy: TlsServerOptions;
  expired: TlsServerOptions;
  notYetValid: TlsServerOptions;
  expiresIn10Days: TlsServerOptions;
  wrongHost: TlsServerOptions;
  selfSigned: TlsServerOptions;
  /** Leaf alone: the intermediate is not sent. */
  missingIntermediate: TlsServerOptions;
  /** A chain from another root, root not sent. */
  unknownRoot: TlsServerOptions;
  /** A chain from another root, the root sent too (what a TLS-inspecting proxy often does). */
  unknownRootSent: TlsServerOptions;
  /** The other root, for tests that trust it. */
  otherRootPem: string;
}

function served(leaf: TestLeaf, chain: 'chain' | 'leaf' = 'chain', extra = ''): TlsServerOptions {
  return { keyPem: leaf.keyPem, certPem: (chain === 'chain' ? leaf.chainPem : leaf.certPem) + extra };
}

export async function createCertScenarios(pki: TestPki): Promise<CertScenarios> {
  const now = Date.now();
  const otherRoot = await createRootCa('Other Inspection Root CA');
  const otherIntermediate = await createIntermediateCa(otherRoot, 'Other Inspection Intermediate CA');
  const otherLeaf = await issueLeaf(otherIntermediate, {}, [otherIntermediate]);
  return {
    healthy: served(pki.leaf),
    expired: served(
      await pki.issueLeaf({ notBefore: new Date(now - 30 * DAY), notAfter: new Date(now - DAY) }),
    ),
    notYetValid: served(
      await pki.issueLeaf({ notBefore: new Date(now + 2 * DAY), notAfter: new Date(now + 300 * DAY) }),
    ),
    expiresIn10Days: served(
      await pki.issueLeaf({ notBefore: new Date(now - DAY), notAfter: new Date(now + 10 * DAY + 3_600_000) }),
    ),
    wrongHost: served(await pki.issueLeaf({ hosts: ['other.example'] })),
    selfSigned: served(await pki.issueLeaf({ selfSigned: true })),
    missingIntermediate: served(pki.leaf, 'leaf'),
    unknownRoot: served(otherLeaf),
    unknownRootSent: served(otherLeaf, 'chain', otherRoot.certPem),
    otherRootPem: otherRoot.certPem,
  };
}
