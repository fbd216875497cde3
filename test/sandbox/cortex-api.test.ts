// The reference Cortex SSO API over real HTTP on loopback: the routes Cortex's CLI calls, its error
// and violation bodies, the options for what Cortex does not make public, failure injection,
// persistence, and that the pushed secret never comes back out.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CortexErrorBody,
  configurationPath,
  MAX_BODY_BYTES,
  OIDC_CONFIGURATIONS_PATH,
  SSO_CONFIGURATIONS_PATH,
  type ViolationsBody,
  validateOidcWire,
} from '../../src/cortex/types.js';
import {
  type ConfigurationEntry,
  type CortexApi,
  type CortexApiOptions,
  DATA_FORMAT,
  startCortexApi,
} from '../../src/sandbox/cortex-api.js';
import { type RawAnswer, type RawOptions, raw } from '../support/api-server.ts';

const KEY = 'ref-key-4b1f9c2e7d8a6b5c';
const READ_KEY = 'read-only-key-0a9b8c7d6e5f';
const SECRET = 'canary-SECRET-1d2e3f4a5b6c7d8e9fXYZW';
const OKTA = {
  type: 'client_secret_basic',
  id: '0oa1b2c3d4E5f6G7h8',
  secret: SECRET,
  issuerUri: 'https://acme.okta.com',
  connectionType: 'OKTA',
};
const SAML = { connectionId: 's-1', type: 'SAML', metadataUrl: 'https://idp.example.com/metadata' };
const OLD_OKTA = {
  connectionId: 'c-1',
  connectionType: 'OKTA',
  type: 'client_secret_basic',
  id: '0oaOLDclient',
  issuerUri: 'https://old.okta.com',
  secret: 'old-secret-value-0000',
};
const GOOGLE = {
  connectionId: 'g-1',
  connectionType: 'GOOGLE',
  type: 'client_secret_basic',
  id: 'google-client.apps.googleusercontent.com',
  issuerUri: 'https://accounts.google.com',
};

const fixtures = new URL('../fixtures/cortex/', import.meta.url);
async function fixture(name: string): Promise<unknown> {
  return JSON.parse(await readFile(new URL(name, fixtures), 'utf8'));
}

/** Keys and value types, recursively: what "the same shape" means. */
function shapeOf(v: unknown): unknown {
  if (Array.isArray(v)) return v.length > 0 ? [shapeOf(v[0])] : [];
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, shapeOf((v as Record<string, unknown>)[k])]),
    );
  }
  return v === null ? 'null' : typeof v;
}

let server: CortexApi;
const answers: string[] = [];
const logLines: string[] = [];

async function start(opts: Partial<CortexApiOptions> = {}): Promise<CortexApi> {
  return startCortexApi({
    tokens: [KEY],
    readOnlyTokens: [READ_KEY],
    log: (line) => logLines.push(line),
    ...opts,
  });
}

async function call(method: string, path: string, opts: RawOptions = {}, s = server): Promise<RawAnswer> {
  const answer = await raw(s.url, method, path, { token: KEY, ...opts });
  answers.push(answer.text);
  return answer;
}

function expectError(a: RawAnswer, status: number, type: string): CortexErrorBody {
  expect(a.status).toBe(status);
  expect(a.headers['content-type']).toMatch(/^application\/json/);
  const body = a.json as CortexErrorBody;
  expect(body).toMatchObject({ httpStatus: status, type, requestId: a.headers['x-request-id'] });
  expect(typeof body.message).toBe('string');
  expect(typeof body.details).toBe('string');
  return body;
}

beforeEach(async () => {
  answers.length = 0;
  logLines.length = 0;
  server = await start();
});
afterEach(async () => {
  await server.close();
  // No answer, access-log line or recorded request ever carries the secret or a key.
  const seen = [...answers, ...logLines, JSON.stringify(server.requests)].join('\n');
  for (const s of [SECRET, OLD_OKTA.secret, KEY, READ_KEY]) expect(seen).not.toContain(s);
});

describe('auth', () => {
  it('answers 401 without a key, with a wrong one, and with a non-Bearer scheme', async () => {
    const variants: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-key' },
      { authorization: `Basic ${KEY}` },
    ];
    for (const headers of variants) {
      const a = await call('GET', SSO_CONFIGURATIONS_PATH, { token: undefined, headers });
      expectError(a, 401, 'UNAUTHORIZED');
      expect(a.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('lets a read-only key list but answers 403 naming the permission to POST and both DELETEs', async () => {
    await server.close();
    server = await start({ seed: [OLD_OKTA] });
    expect((await call('GET', SSO_CONFIGURATIONS_PATH, { token: READ_KEY })).status).toBe(200);
    const attempts: Array<[string, string]> = [
      ['POST', OIDC_CONFIGURATIONS_PATH],
      ['DELETE', configurationPath('c-1')],
      ['DELETE', SSO_CONFIGURATIONS_PATH],
    ];
    for (const [method, path] of attempts) {
      const a = await call(method, path, { token: READ_KEY, body: OKTA });
      expect(expectError(a, 403, 'FORBIDDEN').details).toContain('Configure OpenID Connector & SCIM');
    }
    expect(server.configurations().map((e) => e.connectionId)).toEqual(['c-1']);
  });

  it('records each request with its query and the authorization header redacted, never a body', async () => {
    const get = await call('GET', `${SSO_CONFIGURATIONS_PATH}?page=0`);
    await call('POST', OIDC_CONFIGURATIONS_PATH, { body: OKTA });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]).toMatchObject({
      method: 'GET',
      path: SSO_CONFIGURATIONS_PATH,
      query: 'page=0',
      requestId: get.headers['x-request-id'],
      status: 200,
    });
    expect(server.requests[1]?.headers.authorization).toBe('Bearer [redacted]');
  });
});

describe('list', () => {
  it('answers {"configurations":[]} when empty, and a bare array with listShape "array"', async () => {
    const a = await call('GET', SSO_CONFIGURATIONS_PATH);
    expect(a.status).toBe(200);
    expect(a.json).toEqual({ configurations: [] });

    const bare = await start({ listShape: 'array', seed: [OLD_OKTA, SAML] });
    try {
      const b = await call('GET', SSO_CONFIGURATIONS_PATH, {}, bare);
      expect(Array.isArray(b.json)).toBe(true);
      expect((b.json as ConfigurationEntry[]).map((e) => e.connectionId)).toEqual(['c-1', 's-1']);
    } finally {
      await bare.close();
    }
  });

  it('returns seeded entries, non-OIDC ones as given, and never a seeded secret', async () => {
    await server.close();
    server = await start({ seed: [SAML, OLD_OKTA, GOOGLE] });
    const a = await call('GET', SSO_CONFIGURATIONS_PATH);
    const { secret: _s, ...oldOktaShown } = OLD_OKTA;
    expect(a.json).toEqual({ configurations: [SAML, oldOktaShown, GOOGLE] });
    expect(server.configurations()).toEqual([SAML, oldOktaShown, GOOGLE]);
    expect(server.secretMatches('c-1', OLD_OKTA.secret)).toBe(true);
  });

  it('refuses a seed whose entries lack a connectionId or repeat one', async () => {
    await expect(start({ seed: [{ type: 'SAML' } as unknown as ConfigurationEntry] })).rejects.toThrow(
      /connectionId/,
    );
    await expect(start({ seed: [SAML, SAML] })).rejects.toThrow(/s-1 appears twice/);
  });
});

describe('POST /api/v1/sso/oidc/configurations', () => {
  it('adds a connection by default: 200 with the entry (no secret), listed next to the old one', async () => {
    await server.close();
    server = await start({ seed: [SAML, OLD_OKTA] });
    const a = await call('POST', OIDC_CONFIGURATIONS_PATH, { body: OKTA });
    expect(a.status).toBe(200);
    const { secret: _s, ...shown } = OKTA;
    expect(a.json).toEqual({ connectionId: 'oidc-1', ...shown });
    const list = (await call('GET', SSO_CONFIGURATIONS_PATH)).json as {
      configurations: ConfigurationEntry[];
    };
    expect(list.configurations.map((e) => e.connectionId)).toEqual(['s-1', 'c-1', 'oidc-1']);
    expect(list.configurations[2]).toEqual(a.json);

    const again = await call('POST', OIDC_CONFIGURATIONS_PATH, {
      body: { ...OKTA, secret: 'second-secret-99' },
    });
    expect((again.json as ConfigurationEntry).connectionId).toBe('oidc-2');
    expect(server.secretMatches('oidc-1', SECRET)).toBe(true);
    expect(server.secretMatches('oidc-2', 'second-secret-99')).toBe(true);
    expect(server.secretMatches('oidc-2', SECRET)).toBe(false);
    expect(server.secretMatches('nope', SECRET)).toBe(false);
    expect(server.secretMatches('s-1', '')).toBe(false);
  });

  it('replaces the OIDC connections of the same connectionType with postMode "replace", keeps others', async () => {
    await server.close();
    server = await start({ postMode: 'replace', seed: [SAML, OLD_OKTA, GOOGLE] });
    const a = await call('POST', OIDC_CONFIGURATIONS_PATH, { body: OKTA });
    expect(a.status).toBe(200);
    expect(server.configurations().map((e) => e.connectionId)).toEqual(['s-1', 'g-1', 'oidc-1']);
    expect(server.secretMatches('c-1', OLD_OKTA.secret)).toBe(false);
  });

  it('answers 204 without a body with postAnswer "empty", and still stores the connection', async () => {
    await server.close();
    server = await start({ postAnswer: 'empty' });
    const a = await call('POST', OIDC_CONFIGURATIONS_PATH, { body: OKTA });
    expect(a.status).toBe(204);
    expect(a.text).toBe('');
    expect(server.configurations()).toHaveLength(1);
  });

  it('never reuses a connectionId, even one a seed took or a delete freed', async () => {
    await server.close();
    server = await start({ seed: [{ ...OLD_OKTA, connectionId: 'oidc-1' }] });
    const first = await call('POST', OIDC_CONFIGURATIONS_PATH, { body: OKTA });
    expect((first.json as ConfigurationEntry).connectionId).toBe('oidc-2');
    expect((await call('DELETE', configurationPath('oidc-2'))).status).toBe(204);
    const next = await call('POST', OIDC_CONFIGURATIONS_PATH, { body: OKTA });
    expect((next.json as ConfigurationEntry).connectionId).toBe('oidc-3');
  });

  it('gives concurrent POSTs distinct ids and loses none', async () => {
    const all = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        call('POST', OIDC_CONFIGURATIONS_PATH, { body: { ...OKTA, id: `client-${i}` } }),
      ),
    );
    const ids = all.map((a) => (a.json as ConfigurationEntry).connectionId);
    expect(new Set(ids).size).toBe(8);
    expect(server.configurations()).toHaveLength(8);
  });

  it('answers bad fields with 400 and Cortex violations, one per field, and stores nothing', async () => {
    const bad = { type: 'private_key_jwt', id: 'has space', secret: '', issuerUri: 'http://acme.okta.com' };
    const a = await call('POST', OIDC_CONFIGURATIONS_PATH, { body: bad });
    expect(a.status).toBe(400);
    const body = a.json as ViolationsBody;
    expect(body).toEqual({ violations: validateOidcWire(bad) });
    expect(body.violations.map((v) => v.pointer)).toEqual([
      '/type',
      '/connectionType',
      '/id',
      '/secret',
      '/issuerUri',
    ]);
    const arr = await call('POST', OIDC_CONFIGURATIONS_PATH, { body: '[1,2]' });
    expect(arr.status).toBe(400);
    expect((arr.json as ViolationsBody).violations[0]?.pointer).toBe('');
    expect(server.configurations()).toEqual([]);
  });

  it('answers malformed JSON with a 400 error body that does not quote the body', async () => {
    const text = `{"secret":"${SECRET}",`;
    const a = await call('POST', OIDC_CONFIGURATIONS_PATH, { body: text });
    expect(expectError(a, 400, 'BAD_REQUEST').details).toMatch(/not valid JSON/);
    expect(server.configurations()).toEqual([]);
  });

  it(`refuses a body over ${MAX_BODY_BYTES} bytes with 413`, async () => {
    const a = await call('POST', OIDC_CONFIGURATIONS_PATH, {
      body: { ...OKTA, pad: 'x'.repeat(MAX_BODY_BYTES) },
    });
    expectError(a, 413, 'PAYLOAD_TOO_LARGE');
    expect(server.configurations()).toEqual([]);
  });
});

describe('DELETE', () => {
  it('deletes one connection by id (204), then answers 404 for it; the others stay', async () => {
    await server.close();
    server = await start({ seed: [SAML, OLD_OKTA, { ...GOOGLE, connectionId: 'id with/slash' }] });
    const a = await call('DELETE', configurationPath('c-1'));
    expect(a.status).toBe(204);
    expect(a.text).toBe('');
    expect(server.configurations().map((e) => e.connectionId)).toEqual(['s-1', 'id with/slash']);
    expect(expectError(await call('DELETE', configurationPath('c-1')), 404, 'NOT_FOUND').details).toContain(
      'c-1',
    );
    expect((await call('DELETE', configurationPath('id with/slash'))).status).toBe(204);
    expect(server.configurations().map((e) => e.connectionId)).toEqual(['s-1']);
    expect(server.deleteAllCalls()).toBe(0);
  });

  it('"delete all" empties the list, and is counted so a test can prove a client never called it', async () => {
    await server.close();
    server = await start({ seed: [SAML, OLD_OKTA] });
    expect(server.deleteAllCalls()).toBe(0);
    await call('DELETE', SSO_CONFIGURATIONS_PATH, { token: READ_KEY });
    expect(server.deleteAllCalls()).toBe(1);
    const a = await call('DELETE', SSO_CONFIGURATIONS_PATH);
    expect(a.status).toBe(204);
    expect(server.configurations()).toEqual([]);
    expect(server.deleteAllCalls()).toBe(2);
  });
});

describe('routes', () => {
  it('answers unknown routes with 404 and wrong methods with 405 and Allow, as error bodies', async () => {
    expectError(await call('GET', '/api/v1/sso/openid-connector'), 404, 'NOT_FOUND');
    expectError(await call('GET', `${SSO_CONFIGURATIONS_PATH}/a/b`), 404, 'NOT_FOUND');
    const cases: Array<[string, string, string]> = [
      ['PUT', SSO_CONFIGURATIONS_PATH, 'GET, DELETE'],
      ['GET', OIDC_CONFIGURATIONS_PATH, 'POST'],
      ['GET', configurationPath('c-1'), 'DELETE'],
    ];
    for (const [method, path, allow] of cases) {
      const a = await call(method, path);
      expectError(a, 405, 'METHOD_NOT_ALLOWED');
      expect(a.headers.allow).toBe(allow);
    }
  });
});

describe('fixtures: the answers have exactly the shapes of test/fixtures/cortex', () => {
  it('POST body, POST answer, list, list entry, error body and violations', async () => {
    const postBody = await fixture('post-body.json');
    const created = await call('POST', OIDC_CONFIGURATIONS_PATH, { body: postBody });
    expect(shapeOf(created.json)).toEqual(shapeOf(await fixture('list-entry.json')));
    const list = await call('GET', SSO_CONFIGURATIONS_PATH);
    expect(shapeOf(list.json)).toEqual(shapeOf(await fixture('list.json')));

    const violations = await call('POST', OIDC_CONFIGURATIONS_PATH, {
      body: { ...(postBody as object), issuerUri: 'http://x' },
    });
    expect(shapeOf(violations.json)).toEqual(shapeOf(await fixture('violations.json')));

    const errorShape = shapeOf(await fixture('error.json'));
    server.failNext(1, 429);
    server.failNext(1, 500);
    server.failNext(1, 503);
    const errors = [
      await call('GET', SSO_CONFIGURATIONS_PATH, { token: undefined }),
      await call('GET', SSO_CONFIGURATIONS_PATH, { token: undefined }),
      await call('GET', SSO_CONFIGURATIONS_PATH, { token: undefined }),
      await call('GET', SSO_CONFIGURATIONS_PATH, { token: undefined }),
      await call('POST', OIDC_CONFIGURATIONS_PATH, { token: READ_KEY, body: postBody }),
      await call('DELETE', configurationPath('missing')),
      await call('PATCH', SSO_CONFIGURATIONS_PATH),
      await call('POST', OIDC_CONFIGURATIONS_PATH, { body: '{' }),
      await call('POST', OIDC_CONFIGURATIONS_PATH, { body: 'x'.repeat(MAX_BODY_BYTES + 1) }),
    ];
    expect(errors.map((e) => e.status)).toEqual([429, 500, 503, 401, 403, 404, 405, 400, 413]);
    for (const e of errors) expect(shapeOf(e.json)).toEqual(errorShape);
  });
});

describe('failNext', () => {
  it('429 with Retry-After (1 s by default) and 500/503 as JSON; 502/504 as an HTML page; then normal service', async () => {
    server.failNext(1, 429);
    server.failNext(1, 429, { retryAfterSeconds: 7 });
    server.failNext(1, 503, { retryAfterSeconds: 2 });
    server.failNext(1, 500);
    server.failNext(1, 502);
    server.failNext(1, 504);
    const a = await call('GET', SSO_CONFIGURATIONS_PATH);
    expectError(a, 429, 'TOO_MANY_REQUESTS');
    expect(a.headers['retry-after']).toBe('1');
    expect((await call('GET', SSO_CONFIGURATIONS_PATH)).headers['retry-after']).toBe('7');
    const c = await call('GET', SSO_CONFIGURATIONS_PATH);
    expectError(c, 503, 'SERVICE_UNAVAILABLE');
    expect(c.headers['retry-after']).toBe('2');
    const d = await call('GET', SSO_CONFIGURATIONS_PATH);
    expectError(d, 500, 'INTERNAL_SERVER_ERROR');
    expect(d.headers['retry-after']).toBeUndefined();
    for (const [status, title] of [
      [502, '502 Bad Gateway'],
      [504, '504 Gateway Timeout'],
    ] as const) {
      const g = await call('GET', SSO_CONFIGURATIONS_PATH);
      expect(g.status).toBe(status);
      expect(g.headers['content-type']).toBe('text/html');
      expect(g.text).toContain(`<title>${title}</title>`);
      expect(g.json).toBeUndefined();
    }
    expect((await call('GET', SSO_CONFIGURATIONS_PATH)).status).toBe(200);
  });

  it('fails only the matching requests: the DELETE of a rotation, or the POST', async () => {
    await server.close();
    server = await start({ seed: [OLD_OKTA] });
    server.failNext(1, 503, { method: 'DELETE' });
    server.failNext(1, 500, { method: 'post', path: OIDC_CONFIGURATIONS_PATH });
    expect((await call('GET', SSO_CONFIGURATIONS_PATH)).status).toBe(200);
    expect((await call('POST', OIDC_CONFIGURATIONS_PATH, { body: OKTA })).status).toBe(500);
    expect((await call('POST', OIDC_CONFIGURATIONS_PATH, { body: OKTA })).status).toBe(200);
    expect((await call('GET', SSO_CONFIGURATIONS_PATH)).status).toBe(200);
    expect((await call('DELETE', configurationPath('c-1'))).status).toBe(503);
    expect(server.configurations().map((e) => e.connectionId)).toEqual(['c-1', 'oidc-1']);
    expect((await call('DELETE', configurationPath('c-1'))).status).toBe(204);

    // A path prefix: the list route's prefix also covers the delete-by-id route.
    server.failNext(1, 502, { path: `${SSO_CONFIGURATIONS_PATH}/` });
    expect((await call('GET', SSO_CONFIGURATIONS_PATH)).status).toBe(200);
    expect((await call('DELETE', configurationPath('oidc-1'))).status).toBe(502);
  });
});

describe('beforeHandle', () => {
  it("lets a test land another admin's change between a client's read and its write", async () => {
    await server.close();
    let meddled = false;
    server = await start({
      beforeHandle: async (r) => {
        if (r.method === 'POST' && !meddled) {
          meddled = true;
          await raw(server.url, 'POST', OIDC_CONFIGURATIONS_PATH, {
            token: KEY,
            body: { ...OKTA, id: 'someone-else' },
          });
        }
      },
    });
    await call('GET', SSO_CONFIGURATIONS_PATH);
    await call('POST', OIDC_CONFIGURATIONS_PATH, { body: OKTA });
    expect(server.configurations().map((e) => e.id)).toEqual(['someone-else', OKTA.id]);
  });
});

describe('access log', () => {
  it('logs method, path, status and request id per request, never a query, body or key', async () => {
    await call('POST', OIDC_CONFIGURATIONS_PATH, { body: OKTA });
    await call('GET', `${SSO_CONFIGURATIONS_PATH}?page=0`);
    expect(logLines).toEqual([
      `POST ${OIDC_CONFIGURATIONS_PATH} 200 ${server.requests[0]?.requestId}`,
      `GET ${SSO_CONFIGURATIONS_PATH} 200 ${server.requests[1]?.requestId}`,
    ]);
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

  it('keeps the connections and the id counter across a restart, in a 0600 file, no temp files', async () => {
    const dataFile = join(dir, 'api.json');
    let s = await start({ dataFile, seed: [SAML] });
    const created = await call('POST', OIDC_CONFIGURATIONS_PATH, { body: OKTA }, s);
    await s.close();

    if (process.platform !== 'win32') expect((await stat(dataFile)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['api.json']);
    const saved = JSON.parse(await readFile(dataFile, 'utf8'));
    expect(saved.format).toBe(DATA_FORMAT);

    // The seed only applies to a fresh state: the file wins.
    s = await start({ dataFile, seed: [GOOGLE] });
    try {
      const list = await call('GET', SSO_CONFIGURATIONS_PATH, {}, s);
      expect(list.json).toEqual({ configurations: [SAML, created.json] });
      expect(s.secretMatches('oidc-1', SECRET)).toBe(true);
      expect((await call('DELETE', configurationPath('oidc-1'), {}, s)).status).toBe(204);
    } finally {
      await s.close();
    }
    s = await start({ dataFile });
    try {
      const next = await call('POST', OIDC_CONFIGURATIONS_PATH, { body: OKTA }, s);
      expect((next.json as ConfigurationEntry).connectionId).toBe('oidc-2');
      expect(s.configurations().map((e) => e.connectionId)).toEqual(['s-1', 'oidc-2']);
    } finally {
      await s.close();
    }
  });

  it('starts from the seed when the data file does not exist yet', async () => {
    const s = await start({ dataFile: join(dir, 'new.json'), seed: [SAML] });
    try {
      expect(s.configurations()).toEqual([SAML]);
    } finally {
      await s.close();
    }
  });

  it('refuses a corrupt file, another format version, or a file that is not its own, saying why', async () => {
    const dataFile = join(dir, 'api.json');
    const cases: Array<[string, RegExp]> = [
      ['{"format":1,"nextId":', /api\.json is not a usable reference Cortex API data file: .*not valid JSON/],
      ['{"format":2,"nextId":1,"configurations":[]}', /data format 2, expected 1/],
      ['{"hello":1}', /data format undefined, expected 1/],
      ['{"format":1,"nextId":1,"configurations":[{"type":"SAML"}]}', /connectionId/],
    ];
    for (const [text, why] of cases) {
      await writeFile(dataFile, text);
      await expect(start({ dataFile })).rejects.toThrow(why);
      // The file is left as it was for the user to inspect.
      expect(await readFile(dataFile, 'utf8')).toBe(text);
    }
  });
});
