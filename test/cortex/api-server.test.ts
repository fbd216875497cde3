// The reference Cortex API over real HTTP on loopback: auth, CRUD, field validation, ETags,
// persistence, limits, and that the stored secret never comes back.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../src/cortex/server.js';
import {
  type ApiErrorBody,
  CONNECTOR_PATH,
  CONNECTOR_VALIDATE_PATH,
  type Connector,
  validateConnectorInput,
} from '../../src/cortex/types.js';
import { type RawAnswer, raw } from '../support/api-server.ts';

const TOKEN = 'ref-token-4b1f9c2e7d8a6b5c';
const READ_TOKEN = 'read-only-token-0a9b8c7d6e5f';
const SECRET = 'canary-SECRET-1d2e3f4a5b6c7d8e9fXYZW';
const GOOD = {
  type: 'okta',
  clientId: '0oa1b2c3d4E5f6G7h8',
  clientSecret: SECRET,
  issuer: 'https://acme.okta.com',
};

let server: ApiServer;
const bodies: string[] = [];

async function call(method: string, path: string, opts: Parameters<typeof raw>[3] = {}): Promise<RawAnswer> {
  const answer = await raw(server.url, method, path, { token: TOKEN, ...opts });
  bodies.push(answer.text);
  return answer;
}

beforeEach(async () => {
  server = await startApiServer({ tokens: [TOKEN], readOnlyTokens: [READ_TOKEN] });
});
afterEach(async () => {
  await server.close();
});

describe('auth', () => {
  it('answers 401 UNAUTHORIZED without a token, with a wrong one, and with a non-Bearer scheme', async () => {
    const variants: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: `Basic ${TOKEN}` },
    ];
    for (const headers of variants) {
      const a = await raw(server.url, 'GET', CONNECTOR_PATH, { headers });
      expect(a.status).toBe(401);
      const body = a.json as ApiErrorBody;
      expect(body.type).toBe('UNAUTHORIZED');
      expect(body.httpStatus).toBe(401);
      expect(body.requestId).toBe(a.headers['x-request-id']);
      expect(a.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('lets a read-only token read but answers 403 FORBIDDEN to PUT and DELETE', async () => {
    expect((await call('PUT', CONNECTOR_PATH, { body: GOOD })).status).toBe(200);
    const get = await call('GET', CONNECTOR_PATH, { token: READ_TOKEN });
    expect(get.status).toBe(200);
    for (const method of ['PUT', 'DELETE']) {
      const a = await call(method, CONNECTOR_PATH, { token: READ_TOKEN, body: GOOD });
      expect(a.status).toBe(403);
      expect((a.json as ApiErrorBody).type).toBe('FORBIDDEN');
      expect((a.json as ApiErrorBody).message).toContain('Configure OpenID Connector & SCIM');
    }
    expect(server.connector()?.version).toBe(1);
  });

  it('records requests with the authorization header redacted', async () => {
    await call('GET', CONNECTOR_PATH);
    const rec = server.requests.at(-1);
    expect(rec).toMatchObject({ method: 'GET', path: CONNECTOR_PATH, status: 404 });
    expect(rec?.headers.authorization).toBe('Bearer [redacted]');
    expect(JSON.stringify(server.requests)).not.toContain(TOKEN);
  });
});

describe('CRUD', () => {
  it('404 when none, PUT creates, GET shows it with an ETag, PUT updates, DELETE removes', async () => {
    const none = await call('GET', CONNECTOR_PATH);
    expect(none.status).toBe(404);
    expect((none.json as ApiErrorBody).type).toBe('NOT_FOUND');

    const created = await call('PUT', CONNECTOR_PATH, { body: GOOD });
    expect(created.status).toBe(200);
    expect(created.headers.etag).toBe('"v1"');
    const c = created.json as Connector;
    expect(c).toMatchObject({
      type: 'okta',
      clientId: GOOD.clientId,
      clientSecretLastFour: 'XYZW',
      issuer: GOOD.issuer,
      version: 1,
    });
    expect(Object.keys(c).sort()).toEqual(
      ['clientId', 'clientSecretLastFour', 'issuer', 'type', 'updatedAt', 'version'].sort(),
    );
    expect(Number.isNaN(Date.parse(c.updatedAt))).toBe(false);

    const got = await call('GET', CONNECTOR_PATH);
    expect(got.status).toBe(200);
    expect(got.json).toEqual(c);
    expect(got.headers.etag).toBe('"v1"');
    expect(got.headers['x-request-id']).toBeTruthy();

    const updated = await call('PUT', CONNECTOR_PATH, {
      body: { ...GOOD, issuer: 'https://acme.okta.com/oauth2/default' },
    });
    expect(updated.status).toBe(200);
    expect(updated.headers.etag).toBe('"v2"');
    expect((updated.json as Connector).issuer).toBe('https://acme.okta.com/oauth2/default');

    const del = await call('DELETE', CONNECTOR_PATH);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect((await call('GET', CONNECTOR_PATH)).status).toBe(404);
    expect((await call('DELETE', CONNECTOR_PATH)).status).toBe(404);
  });

  it('never returns the secret in any body, and never shows a short secret at all', async () => {
    await call('PUT', CONNECTOR_PATH, { body: GOOD });
    await call('GET', CONNECTOR_PATH);
    await call('PUT', CONNECTOR_PATH, { body: { ...GOOD, issuer: 'http://acme.okta.com' } });
    await call('PUT', CONNECTOR_PATH, { body: GOOD, headers: { 'if-match': '"v99"' } });
    await call('POST', CONNECTOR_VALIDATE_PATH, { body: { ...GOOD, clientId: '' } });
    await call('DELETE', CONNECTOR_PATH);
    expect(bodies.length).toBeGreaterThanOrEqual(6);
    for (const b of bodies) expect(b).not.toContain(SECRET);

    const short = await call('PUT', CONNECTOR_PATH, { body: { ...GOOD, clientSecret: 'abc12' } });
    expect((short.json as Connector).clientSecretLastFour).toBe('');
  });

  it('answers unknown routes with a 404 JSON error and wrong methods with 405', async () => {
    const a = await call('GET', '/api/v1/nope');
    expect(a.status).toBe(404);
    expect(a.json).toMatchObject({ type: 'NOT_FOUND', httpStatus: 404 });
    expect((a.json as ApiErrorBody).requestId).toBe(a.headers['x-request-id']);
    const b = await call('POST', CONNECTOR_PATH, { body: GOOD });
    expect(b.status).toBe(405);
    expect(b.headers.allow).toBe('GET, PUT, DELETE');
  });
});

describe('validation', () => {
  it('names each bad field in details', async () => {
    const a = await call('PUT', CONNECTOR_PATH, {
      body: { type: 'azure', clientId: 'has space', clientSecret: '', issuer: 'http://acme.okta.com' },
    });
    expect(a.status).toBe(400);
    const body = a.json as ApiErrorBody;
    expect(body.type).toBe('BAD_REQUEST');
    expect(body.details).toEqual([
      { field: 'type', message: 'must be one of: okta' },
      { field: 'clientId', message: 'must not contain whitespace' },
      { field: 'clientSecret', message: 'must not be empty' },
      { field: 'issuer', message: 'must be an https URL' },
    ]);
    expect(server.connector()).toBeNull();
  });

  it.each([
    ['not-a-url', 'must be an https URL'],
    ['ftp://acme.okta.com', 'must be an https URL'],
    ['https://acme.okta.com /x', 'must not contain whitespace'],
    ['https://acme.okta.com/', 'must not end with a slash'],
    ['https://acme.okta.com/oauth2/default/', 'must not end with a slash'],
    ['https://user:pw@acme.okta.com', 'must not contain credentials'],
    ['https://acme.okta.com?x=1', 'must not contain a query'],
    ['https://acme.okta.com?', 'must not contain a query'],
    ['https://acme.okta.com#top', 'must not contain a fragment'],
  ])('rejects issuer %j', (issuer, message) => {
    expect(validateConnectorInput({ ...GOOD, issuer })).toEqual([{ field: 'issuer', message }]);
  });

  it('accepts org and custom authorization server issuers', () => {
    expect(validateConnectorInput(GOOD)).toEqual([]);
    expect(validateConnectorInput({ ...GOOD, issuer: 'https://acme.okta.com/oauth2/default' })).toEqual([]);
  });

  it('answers bad JSON with 400 and a non-object with a body error', async () => {
    const a = await call('PUT', CONNECTOR_PATH, { body: '{"type":' });
    expect(a.status).toBe(400);
    expect((a.json as ApiErrorBody).message).toMatch(/not valid JSON/);
    const b = await call('PUT', CONNECTOR_PATH, { body: '[1,2]' });
    expect(b.status).toBe(400);
    expect((b.json as ApiErrorBody).details).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
  });

  it('refuses bodies over 2 MB with 413', async () => {
    const a = await call('PUT', CONNECTOR_PATH, { body: { ...GOOD, pad: 'x'.repeat(2 * 1024 * 1024) } });
    expect(a.status).toBe(413);
    expect((a.json as ApiErrorBody).type).toBe('PAYLOAD_TOO_LARGE');
    expect(server.connector()).toBeNull();
  });
});

describe('ETag / If-Match', () => {
  it('412 on a stale ETag after a concurrent change; the current ETag succeeds', async () => {
    const first = await call('PUT', CONNECTOR_PATH, { body: GOOD });
    const etag = first.headers.etag as string;
    // Someone else changes it in between.
    await call('PUT', CONNECTOR_PATH, { body: { ...GOOD, clientId: 'someone-else' } });
    const stale = await call('PUT', CONNECTOR_PATH, { body: GOOD, headers: { 'if-match': etag } });
    expect(stale.status).toBe(412);
    expect((stale.json as ApiErrorBody).type).toBe('PRECONDITION_FAILED');
    expect(server.connector()?.clientId).toBe('someone-else');

    const fresh = await call('PUT', CONNECTOR_PATH, { body: GOOD, headers: { 'if-match': '"v2"' } });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.etag).toBe('"v3"');
  });

  it('If-Match on a missing connector fails; "*" means "must exist"; If-None-Match "*" means "must not"', async () => {
    expect((await call('PUT', CONNECTOR_PATH, { body: GOOD, headers: { 'if-match': '*' } })).status).toBe(
      412,
    );
    expect((await call('PUT', CONNECTOR_PATH, { body: GOOD, headers: { 'if-match': '"v1"' } })).status).toBe(
      412,
    );
    expect(
      (await call('PUT', CONNECTOR_PATH, { body: GOOD, headers: { 'if-none-match': '*' } })).status,
    ).toBe(200);
    expect(
      (await call('PUT', CONNECTOR_PATH, { body: GOOD, headers: { 'if-none-match': '*' } })).status,
    ).toBe(412);
    expect((await call('PUT', CONNECTOR_PATH, { body: GOOD, headers: { 'if-match': '*' } })).status).toBe(
      200,
    );
  });

  it('never reuses a version after delete, so an old ETag cannot match a new connector', async () => {
    await call('PUT', CONNECTOR_PATH, { body: GOOD });
    await call('DELETE', CONNECTOR_PATH);
    const again = await call('PUT', CONNECTOR_PATH, { body: GOOD });
    expect(again.headers.etag).toBe('"v2"');
    expect((await call('DELETE', CONNECTOR_PATH, { headers: { 'if-match': '"v1"' } })).status).toBe(412);
    expect((await call('DELETE', CONNECTOR_PATH, { headers: { 'if-match': '"v2"' } })).status).toBe(204);
  });
});

describe('persistence', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cortex-ref-api-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the connector across a restart, in a 0600 file, with no temp files left', async () => {
    const dataFile = join(dir, 'api.json');
    let s = await startApiServer({ tokens: [TOKEN], dataFile });
    const put = await raw(s.url, 'PUT', CONNECTOR_PATH, { token: TOKEN, body: GOOD });
    expect(put.status).toBe(200);
    await s.close();

    if (process.platform !== 'win32') expect((await stat(dataFile)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['api.json']);
    // The server keeps the secret (that is its job) but the file is the only place it lives.
    expect(await readFile(dataFile, 'utf8')).toContain(SECRET);

    s = await startApiServer({ tokens: [TOKEN], dataFile });
    try {
      const got = await raw(s.url, 'GET', CONNECTOR_PATH, { token: TOKEN });
      expect(got.status).toBe(200);
      expect(got.json).toEqual(put.json);
      expect(got.headers.etag).toBe('"v1"');
      const next = await raw(s.url, 'PUT', CONNECTOR_PATH, {
        token: TOKEN,
        body: GOOD,
        headers: { 'if-match': '"v1"' },
      });
      expect(next.headers.etag).toBe('"v2"');
      const del = await raw(s.url, 'DELETE', CONNECTOR_PATH, { token: TOKEN });
      expect(del.status).toBe(204);
    } finally {
      await s.close();
    }
    const again = await startApiServer({ tokens: [TOKEN], dataFile });
    try {
      expect((await raw(again.url, 'GET', CONNECTOR_PATH, { token: TOKEN })).status).toBe(404);
      expect(await readFile(dataFile, 'utf8')).not.toContain(SECRET);
    } finally {
      await again.close();
    }
  });

  it('refuses to start on a file that is not its own', async () => {
    const dataFile = join(dir, 'other.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(dataFile, '{"hello":1}'));
    await expect(startApiServer({ tokens: [TOKEN], dataFile })).rejects.toThrow(
      /not a reference API data file/,
    );
  });
});

describe('failNext', () => {
  it('429 as problem+json with Retry-After, 502 as an HTML page, then normal service', async () => {
    server.failNext(1, 429, 7);
    server.failNext(1, 502);
    const a = await call('GET', CONNECTOR_PATH);
    expect(a.status).toBe(429);
    expect(a.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(a.headers['retry-after']).toBe('7');
    expect(a.json).toMatchObject({
      status: 429,
      title: 'Too Many Requests',
      requestId: a.headers['x-request-id'],
    });
    const b = await call('GET', CONNECTOR_PATH);
    expect(b.status).toBe(502);
    expect(b.headers['content-type']).toBe('text/html');
    expect(b.text).toContain('<title>502 Bad Gateway</title>');
    expect((await call('GET', CONNECTOR_PATH)).status).toBe(404);
  });
});
