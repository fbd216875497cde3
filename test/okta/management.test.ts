// The read-only Okta management client on its own: Link paging, the token staying with the org
// (no redirects, no foreign next links), size and page caps, where the token comes from, and
// `auth login --okta` at a masked prompt.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as login } from '../../src/commands/auth/login.js';
import { closeAll, createDispatcher } from '../../src/net/dispatcher.js';
import {
  createOktaManagement,
  nextLink,
  OktaApiError,
  type OktaManagement,
  oktaTokenAccount,
  resolveOktaToken,
} from '../../src/okta/management.js';
import type { Prompter } from '../../src/prompter.js';
import { Secret } from '../../src/secret.js';
import { createMemoryKeychain } from '../support/memory-keychain.ts';
import { type OktaLike, startOktaLike } from '../support/okta-like.ts';
import { oktaPolicy } from '../support/okta-management.ts';
import { createTestPki, type TestPki } from '../support/pki.ts';

const TOKEN = '00mgmt-canary-token-5a6b7c8d9e';

let pki: TestPki;
let okta: OktaLike;
/** Answers every request as `answer` says, and counts them. */
let odd: { url: string; hits: Array<{ path: string; auth: string | undefined }>; close(): Promise<void> };
let answer: (res: import('node:http').ServerResponse) => void = (res) => res.end();

beforeAll(async () => {
  pki = await createTestPki();
  okta = await startOktaLike({
    tls: pki.leaf,
    clients: [],
    management: {
      token: TOKEN,
      apps: {},
      authServers: {
        default: ['00p1', '00p2', '00p3'].map((id) =>
          oktaPolicy({ id, clients: ['ALL_CLIENTS'], rules: [] }),
        ),
      },
    },
  });
  const hits: Array<{ path: string; auth: string | undefined }> = [];
  const server = https.createServer({ key: pki.leaf.keyPem, cert: pki.leaf.chainPem }, (req, res) => {
    hits.push({ path: req.url ?? '', auth: req.headers.authorization });
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  odd = {
    url: `https://localhost:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});
afterAll(async () => {
  await closeAll();
  await Promise.all([okta?.close(), odd?.close()]);
});

function client(
  orgUrl: string,
  extra: Partial<Parameters<typeof createOktaManagement>[0]> = {},
): OktaManagement {
  return createOktaManagement({
    orgUrl,
    token: new Secret(TOKEN),
    dispatcher: createDispatcher({ ca: [pki.root.certPem], proxy: null, connectTimeoutMs: 3000 }),
    timeoutMs: 3000,
    ...extra,
  });
}

async function failure(p: Promise<unknown>): Promise<OktaApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OktaApiError);
  const text = `${(err as Error).message} ${JSON.stringify(err)}`;
  expect(text).not.toContain(TOKEN);
  return err as OktaApiError;
}

describe('nextLink (RFC 8288 Link header, as Okta sends it)', () => {
  it('finds rel="next" among Okta\'s self and next links, in one header or several', () => {
    const self = '<https://acme.okta.com/api/v1/apps/0oa1/users?limit=1>; rel="self"';
    const next = '<https://acme.okta.com/api/v1/apps/0oa1/users?after=00u2&limit=1>; rel="next"';
    expect(nextLink(`${self}, ${next}`)).toBe(
      'https://acme.okta.com/api/v1/apps/0oa1/users?after=00u2&limit=1',
    );
    expect(nextLink([self, next])).toBe('https://acme.okta.com/api/v1/apps/0oa1/users?after=00u2&limit=1');
    expect(nextLink('<https://a.example/x?after=1>; rel=next')).toBe('https://a.example/x?after=1');
    expect(nextLink(self)).toBeUndefined();
    expect(nextLink(undefined)).toBeUndefined();
  });
});

describe('the management client', () => {
  it('follows Link rel="next" across pages and returns every policy', async () => {
    okta.management!.policyPageSize = 1;
    try {
      const policies = await client(`https://localhost:${okta.port}`).listPolicies('default');
      expect(policies.map((p) => p.id)).toEqual(['00p1', '00p2', '00p3']);
    } finally {
      delete okta.management!.policyPageSize;
    }
  });

  it('stops after maxPages instead of paging forever', async () => {
    okta.management!.policyPageSize = 1;
    try {
      const err = await failure(
        client(`https://localhost:${okta.port}`, { maxPages: 2 }).listPolicies('default'),
      );
      expect(err.message).toContain('more than 2 pages');
    } finally {
      delete okta.management!.policyPageSize;
    }
  });

  it('refuses a next link to another origin: the token is never sent there', async () => {
    okta.management!.policyPageSize = 1;
    okta.management!.foreignNextLink = `${odd.url}/api/v1/authorizationServers/default/policies`;
    const before = odd.hits.length;
    try {
      const err = await failure(client(`https://localhost:${okta.port}`).listPolicies('default'));
      expect(err.kind).toBe('unexpected');
      expect(err.message).toContain(`not the org https://localhost:${okta.port}`);
      expect(odd.hits.length).toBe(before);
    } finally {
      delete okta.management!.policyPageSize;
      delete okta.management!.foreignNextLink;
    }
  });

  it('does not follow a redirect, and says where it pointed', async () => {
    answer = (res) => {
      res.statusCode = 302;
      res.setHeader('location', 'https://elsewhere.example/api/v1/apps/0oa1');
      res.end();
    };
    const before = odd.hits.length;
    const err = await failure(client(odd.url).getApp('0oa1'));
    expect(err.message).toContain('redirect to https://elsewhere.example, not followed');
    expect(odd.hits.length).toBe(before + 1);
    expect(odd.hits.at(-1)?.auth).toBe(`SSWS ${TOKEN}`);
  });

  it('caps the size of an answer', async () => {
    answer = (res) => {
      res.setHeader('content-type', 'application/json');
      res.end(`{"id":"${'x'.repeat(4096)}"}`);
    };
    const err = await failure(client(odd.url, { maxBytes: 1024 }).getApp('0oa1'));
    expect(err.message).toContain('larger than 1024 bytes');
  });

  it('an answer that is not JSON is an error, not a crash', async () => {
    answer = (res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<html>Sign in</html>');
    };
    const err = await failure(client(odd.url).getApp('0oa1'));
    expect(err.message).toContain('not JSON');
  });

  it("Okta's error text reaches the report with its control characters escaped", async () => {
    answer = (res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errorCode: 'E0000011\u001b[2J',
          errorSummary: 'Invalid token\r\nFAKE LINE \u001b[31mred',
          errorId: 'oae\u0007id',
        }),
      );
    };
    const err = await failure(client(odd.url).getApp('0oa1'));
    expect(err.message).toContain('E0000011\\x1b[2J');
    expect(err.message).toContain('Invalid token\\r\\nFAKE LINE \\x1b[31mred');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
    expect(err.message).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  it('reads the app tolerantly and never keeps its client secret', async () => {
    answer = (res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: '0oa1',
          status: 'ACTIVE',
          credentials: { oauthClient: { client_secret: 'app-secret-never-kept-1234' } },
          settings: { oauthClient: { grant_types: ['authorization_code', 7], redirect_uris: 'not-a-list' } },
          somethingNew: { nested: true },
        }),
      );
    };
    const app = await client(odd.url).getApp('0oa1');
    expect(app).toEqual({
      id: '0oa1',
      status: 'ACTIVE',
      grantTypes: ['authorization_code'],
      redirectUris: [],
    });
    expect(JSON.stringify(app)).not.toContain('app-secret-never-kept');
  });
});

describe('resolveOktaToken', () => {
  it('OKTA_API_TOKEN wins over the keychain; the keychain entry is per profile; none is null', async () => {
    const keychain = createMemoryKeychain({
      initial: { [oktaTokenAccount('prod')]: 'stored-okta-token-1234' },
    });
    expect(
      (await resolveOktaToken({ OKTA_API_TOKEN: ' env-okta-token-5678\n' }, keychain, 'prod'))?.source,
    ).toBe('env');
    const stored = await resolveOktaToken({}, keychain, 'prod');
    expect(stored?.source).toBe('keychain');
    expect(stored?.token.reveal()).toBe('stored-okta-token-1234');
    expect(await resolveOktaToken({ OKTA_API_TOKEN: '  ' }, keychain, 'staging')).toBeNull();
  });
});

describe('auth login --okta at a terminal', () => {
  it('asks at a masked prompt and stores the token under okta-api-token:<profile>', async () => {
    const keychain = createMemoryKeychain();
    const asked: string[] = [];
    const prompter = {
      password: async (message: string) => {
        asked.push(message);
        return new Secret('typed-okta-token-9abc');
      },
    } as unknown as Prompter;
    const result = await login(
      { okta: true, profile: 'prod' },
      { keychain, env: {}, prompter, interactive: true },
    );
    expect(asked[0]).toContain('Okta API token');
    expect(result).toMatchObject({ okta: true, tokenLastFour: '9abc', profile: 'prod' });
    expect((await keychain.get(oktaTokenAccount('prod')))?.reveal()).toBe('typed-okta-token-9abc');
    expect(JSON.stringify(result)).not.toContain('typed-okta-token');
  });
});
