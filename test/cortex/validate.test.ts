// POST /validate: the reference server fetches {issuer}/.well-known/openid-configuration itself,
// over real TLS on loopback, trusting a test CA given by its `ca` option.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCortexClient } from '../../src/cortex/client.js';
import { type ApiServer, startApiServer } from '../../src/cortex/server.js';
import { Secret } from '../../src/secret.js';
import { startOidcIssuer } from '../support/oidc-issuer.ts';
import { createTestPki, type TestPki } from '../support/pki.ts';

const TOKEN = 'validate-token-1234567890';
const SECRET = new Secret('validate-secret-abcdef123456');

let pki: TestPki;
let api: ApiServer;
let untrusting: ApiServer;
let discovery: {
  url: string;
  close(): Promise<void>;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
};

beforeAll(async () => {
  pki = await createTestPki();
  api = await startApiServer({ tokens: [TOKEN], ca: [pki.root.certPem], validateTimeoutMs: 3000 });
  untrusting = await startApiServer({ tokens: [TOKEN], validateTimeoutMs: 3000 });
  const state = {
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      res.statusCode = 500;
      res.end();
    },
  };
  const server: Server = createServer({ key: pki.leaf.keyPem, cert: pki.leaf.chainPem }, (req, res) =>
    state.handler(req, res),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  discovery = {
    url: `https://localhost:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    set handler(h) {
      state.handler = h;
    },
    get handler() {
      return state.handler;
    },
  };
});

afterAll(async () => {
  await api?.close();
  await untrusting?.close();
  await discovery?.close();
});

function validate(server: ApiServer, issuer: string) {
  return createCortexClient({ baseUrl: server.url, token: new Secret(TOKEN), maxTries: 1 }).validateConnector(
    {
      type: 'okta',
      clientId: '0oa-validate',
      clientSecret: SECRET,
      issuer,
    },
  );
}

function serveDoc(status: number, body: string, contentType = 'application/json') {
  const seen: string[] = [];
  discovery.handler = (req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  };
  return seen;
}

describe('POST /api/v1/sso/openid-connector/validate', () => {
  it('a real OpenID provider (oidc-provider) with a matching issuer -> isValid true', async () => {
    const op = await startOidcIssuer({
      tls: pki.leaf,
      path: '/oauth2/default',
      clients: [
        {
          clientId: '0oa-validate',
          clientSecret: SECRET.reveal(),
          redirectUris: ['https://example.test/cb'],
        },
      ],
    });
    try {
      const r = await validate(api, op.issuer);
      expect(r).toEqual({
        isValid: true,
        message: `The discovery document at ${op.issuer}/.well-known/openid-configuration names the issuer exactly`,
      });
    } finally {
      await op.close();
    }
  });

  it('fetches {issuer}/.well-known/openid-configuration and accepts an exact match', async () => {
    const issuer = `${discovery.url}/oauth2/default`;
    const seen = serveDoc(200, JSON.stringify({ issuer, jwks_uri: `${issuer}/v1/keys` }));
    const r = await validate(api, issuer);
    expect(r.isValid).toBe(true);
    expect(seen).toEqual(['/oauth2/default/.well-known/openid-configuration']);
  });

  it('issuer mismatch (trailing slash) -> isValid false naming both values', async () => {
    const issuer = `${discovery.url}/oauth2/default`;
    serveDoc(200, JSON.stringify({ issuer: `${issuer}/` }));
    const r = await validate(api, issuer);
    expect(r.isValid).toBe(false);
    expect(r.message).toContain('Issuer mismatch');
    expect(r.message).toContain(`"${issuer}/"`);
    expect(r.message).toContain(`"${issuer}"`);
  });

  it('HTTP 404 -> isValid false with the status', async () => {
    serveDoc(404, '{"errorCode":"E0000007"}');
    const r = await validate(api, `${discovery.url}/oauth2/nope`);
    expect(r.isValid).toBe(false);
    expect(r.message).toMatch(/answered HTTP 404, expected 200/);
  });

  it('a redirect is reported, not followed', async () => {
    const seen: string[] = [];
    discovery.handler = (req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(301, { location: 'https://elsewhere.example/.well-known/openid-configuration' });
      res.end();
    };
    const r = await validate(api, discovery.url);
    expect(r.isValid).toBe(false);
    expect(r.message).toContain('redirecting to https://elsewhere.example/');
    expect(seen).toHaveLength(1);
  });

  it('an HTML page -> isValid false: not JSON', async () => {
    serveDoc(200, '<html>Sign in to the proxy</html>', 'text/html');
    const r = await validate(api, discovery.url);
    expect(r.isValid).toBe(false);
    expect(r.message).toMatch(/did not answer JSON \(content-type text\/html\)/);
  });

  it('JSON without an issuer -> isValid false', async () => {
    serveDoc(200, '{"jwks_uri":"x"}');
    const r = await validate(api, discovery.url);
    expect(r).toMatchObject({ isValid: false });
    expect(r.message).toContain('has no "issuer"');
  });

  it('a server without the test CA cannot verify the chain -> isValid false naming the TLS error', async () => {
    serveDoc(200, JSON.stringify({ issuer: discovery.url }));
    expect((await validate(api, discovery.url)).isValid).toBe(true);
    const r = await validate(untrusting, discovery.url);
    expect(r.isValid).toBe(false);
    expect(r.message).toMatch(/UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN/);
  });

  it('an issuer that does not answer in time -> isValid false: timed out', async () => {
    discovery.handler = () => {
      // hold the request open
    };
    const slow = await startApiServer({ tokens: [TOKEN], ca: [pki.root.certPem], validateTimeoutMs: 300 });
    try {
      const r = await validate(slow, discovery.url);
      expect(r.isValid).toBe(false);
      expect(r.message).toContain('timed out after 300 ms');
    } finally {
      await slow.close();
    }
  });

  it('bad fields -> 400 before any fetch', async () => {
    const seen = serveDoc(200, '{}');
    const err = await validate(api, `${discovery.url}/`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'API_BAD_REQUEST' });
    expect(seen).toEqual([]);
  });
});
