// The runnable sandbox server (src/cortex/serve.ts): token from the environment only, URL on stdout,
// state in --data-file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCortexClient } from '../../src/cortex/client.js';
import { serve } from '../../src/cortex/serve.js';
import type { ApiServer } from '../../src/cortex/server.js';
import { Secret } from '../../src/secret.js';

const TOKEN = 'serve-token-abcdef0123456789';

function io(argv: string[], env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      argv,
      env,
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
    },
    out,
    err,
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cortex-serve-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('serve', () => {
  it('starts with the token from CORTEX_REF_API_TOKEN, prints its URL, keeps state in --data-file', async () => {
    const dataFile = join(dir, 'api.json');
    const first = io(['--port', '0', '--data-file', dataFile, '--log'], { CORTEX_REF_API_TOKEN: TOKEN });
    const server = (await serve(first.io)) as ApiServer;
    expect('url' in server).toBe(true);
    try {
      expect(first.out).toEqual([`${server.url}\n`]);
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const c = createCortexClient({ baseUrl: server.url, token: new Secret(TOKEN) });
      await c.putConnector({
        type: 'okta',
        clientId: 'cid',
        clientSecret: new Secret('s3cr3t-value-1234'),
        issuer: 'https://a.okta.com',
      });
    } finally {
      await server.close();
    }
    expect(first.err.join('')).toMatch(/PUT \/api\/v1\/sso\/openid-connector 200/);
    expect(first.err.join('') + first.out.join('')).not.toContain(TOKEN);

    const second = io(['--port', '0', '--data-file', dataFile], { CORTEX_REF_API_TOKEN: TOKEN });
    const again = (await serve(second.io)) as ApiServer;
    try {
      const got = await createCortexClient({ baseUrl: again.url, token: new Secret(TOKEN) }).getConnector();
      expect(got?.connector.clientId).toBe('cid');
    } finally {
      await again.close();
    }
  });

  it('refuses to start without CORTEX_REF_API_TOKEN, and rejects unknown flags (no --token in argv)', async () => {
    const noToken = io(['--port', '0'], {});
    expect(await serve(noToken.io)).toEqual({ exitCode: 2 });
    expect(noToken.err.join('')).toContain('set CORTEX_REF_API_TOKEN');
    expect(noToken.out).toEqual([]);

    const flag = io(['--token', 'x'], { CORTEX_REF_API_TOKEN: TOKEN });
    expect(await serve(flag.io)).toEqual({ exitCode: 2 });
    expect(flag.err.join('')).toMatch(/Unknown option '--token'/);
  });

  it('--help prints usage and exits 0', async () => {
    const h = io(['--help'], {});
    expect(await serve(h.io)).toEqual({ exitCode: 0 });
    expect(h.out.join('')).toContain('CORTEX_REF_API_TOKEN');
  });
});
