// The runnable sandbox server (src/sandbox/serve.ts): keys from the environment only, URL on stdout,
// state in memory unless --data-file, POST semantics from --post-mode.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OIDC_CONFIGURATIONS_PATH, SSO_CONFIGURATIONS_PATH } from '../../src/cortex/types.js';
import type { CortexApi } from '../../src/sandbox/cortex-api.js';
import { serve } from '../../src/sandbox/serve.js';
import { raw } from '../support/api-server.ts';

const KEY = 'serve-key-abcdef0123456789';
const READ_KEY = 'serve-read-key-9876543210';
const SECRET = 'serve-SECRET-value-1234abcd';
const BODY = {
  type: 'client_secret_basic',
  id: '0oaServeClient',
  secret: SECRET,
  issuerUri: 'https://acme.okta.com',
  connectionType: 'OKTA',
};

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

async function started(argv: string[], env: Record<string, string | undefined>) {
  const run = io(argv, env);
  const server = await serve(run.io);
  if ('exitCode' in server) throw new Error(`serve exited ${server.exitCode}: ${run.err.join('')}`);
  return { server, ...run };
}

let dir: string;
const servers: CortexApi[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cortex-serve-'));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('serve', () => {
  it('starts with the key from CORTEX_REF_API_KEY, prints its URL, keeps state in --data-file', async () => {
    const dataFile = join(dir, 'api.json');
    const first = await started(['--port', '0', '--data-file', dataFile, '--log'], {
      CORTEX_REF_API_KEY: `other-key, ${KEY}`,
    });
    servers.push(first.server);
    expect(first.out).toEqual([`${first.server.url}\n`]);
    expect(first.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const posted = await raw(first.server.url, 'POST', OIDC_CONFIGURATIONS_PATH, { token: KEY, body: BODY });
    expect(posted.status).toBe(200);
    await first.server.close();
    const log = first.err.join('');
    expect(log).toMatch(/^\S+Z POST \/api\/v1\/sso\/oidc\/configurations 200 [\w-]+\n$/);
    for (const s of [KEY, SECRET]) expect(log + first.out.join('')).not.toContain(s);

    const second = await started(['--port', '0', '--data-file', dataFile], { CORTEX_REF_API_KEY: KEY });
    servers.push(second.server);
    const list = await raw(second.server.url, 'GET', SSO_CONFIGURATIONS_PATH, { token: KEY });
    expect(list.json).toEqual({ configurations: [posted.json] });
    expect(second.err).toEqual([]);
  });

  it('keeps state in memory by default: a restart starts empty', async () => {
    const a = await started(['--port', '0'], { CORTEX_REF_API_KEY: KEY });
    servers.push(a.server);
    await raw(a.server.url, 'POST', OIDC_CONFIGURATIONS_PATH, { token: KEY, body: BODY });
    expect(a.server.configurations()).toHaveLength(1);
    await a.server.close();
    const b = await started(['--port', '0'], { CORTEX_REF_API_KEY: KEY });
    servers.push(b.server);
    expect(b.server.configurations()).toEqual([]);
  });

  it('--post-mode replace replaces the OKTA connection; a read-only key gets 403', async () => {
    const { server } = await started(['--port', '0', '--post-mode', 'replace'], {
      CORTEX_REF_API_KEY: KEY,
      CORTEX_REF_API_READONLY_KEY: READ_KEY,
    });
    servers.push(server);
    await raw(server.url, 'POST', OIDC_CONFIGURATIONS_PATH, { token: KEY, body: BODY });
    await raw(server.url, 'POST', OIDC_CONFIGURATIONS_PATH, { token: KEY, body: { ...BODY, id: 'newer' } });
    expect(server.configurations().map((e) => e.id)).toEqual(['newer']);
    const ro = await raw(server.url, 'POST', OIDC_CONFIGURATIONS_PATH, { token: READ_KEY, body: BODY });
    expect(ro.status).toBe(403);
    expect((await raw(server.url, 'GET', SSO_CONFIGURATIONS_PATH, { token: READ_KEY })).status).toBe(200);
  });

  it('refuses to start without CORTEX_REF_API_KEY, and takes no key, CA file or timeout in argv', async () => {
    const noKey = io(['--port', '0'], {});
    expect(await serve(noKey.io)).toEqual({ exitCode: 2 });
    expect(noKey.err.join('')).toContain('set CORTEX_REF_API_KEY');
    expect(noKey.out).toEqual([]);

    for (const flag of ['--token', '--key', '--ca-file', '--validate-timeout']) {
      const run = io([flag, 'x'], { CORTEX_REF_API_KEY: KEY });
      expect(await serve(run.io)).toEqual({ exitCode: 2 });
      expect(run.err.join('')).toContain(`Unknown option '${flag}'`);
    }
  });

  it('rejects a bad --post-mode or --port with exit 2', async () => {
    for (const argv of [
      ['--post-mode', 'upsert'],
      ['--port', '70000'],
      ['--port', 'x'],
    ]) {
      const run = io(argv, { CORTEX_REF_API_KEY: KEY });
      expect(await serve(run.io)).toEqual({ exitCode: 2 });
      expect(run.err.join('')).toMatch(/--post-mode must be add or replace|--port must be an integer/);
    }
  });

  it('exits 1 naming the file when --data-file is corrupt', async () => {
    const dataFile = join(dir, 'api.json');
    await writeFile(dataFile, 'not json');
    const run = io(['--port', '0', '--data-file', dataFile], { CORTEX_REF_API_KEY: KEY });
    expect(await serve(run.io)).toEqual({ exitCode: 1 });
    expect(run.err.join('')).toMatch(/api\.json is not a usable reference Cortex API data file/);
    expect(run.out).toEqual([]);
  });

  it('--help prints usage and exits 0', async () => {
    const h = io(['--help'], {});
    expect(await serve(h.io)).toEqual({ exitCode: 0 });
    const text = h.out.join('');
    for (const s of ['CORTEX_REF_API_KEY', 'CORTEX_REF_API_READONLY_KEY', '--post-mode', '--data-file']) {
      expect(text).toContain(s);
    }
  });
});
