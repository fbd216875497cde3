import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import * as login from '../../src/commands/auth/login.ts';
import * as logout from '../../src/commands/auth/logout.ts';
import * as status from '../../src/commands/auth/status.ts';
import { CortexSsoError } from '../../src/errors.ts';
import { createOsKeychain } from '../../src/secrets/keychain.ts';
import { secretTool } from '../support/keyring.ts';
import { createMemoryKeychain } from '../support/memory-keychain.ts';

/** Never the developer's own Cortex CLI config (~/.cortex/config). */
const NO_CORTEX_CLI_CONFIG = '/nonexistent/cortex-cli-config';

const bus = inject('keyringBusAddress');
if (bus) process.env.DBUS_SESSION_BUS_ADDRESS = bus;

const SERVICE = `cortex-sso-test-auth-${process.pid}`;
const TOKEN = 'ctx_8d1e5b7a0c2f4e6a9b3dK9Q2';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cortex-auth-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function stdin(text: string): Readable {
  return Readable.from([Buffer.from(text)]);
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CortexSsoError) return err.code;
    throw err;
  }
  return undefined;
}

describe.skipIf(!bus)('auth login / status / logout on the real keychain', () => {
  const keychain = createOsKeychain({ service: SERVICE });
  const k = { env: { DBUS_SESSION_BUS_ADDRESS: bus } };
  afterAll(async () => {
    for (const p of ['default', 'ci', 'prod']) await keychain.delete(`api-token:${p}`).catch(() => {});
  });

  it('login stores the stdin token under api-token:<profile>; status and logout see it', async () => {
    const deps = () => ({
      keychain,
      env: { CORTEX_SSO_PROFILE: 'prod', CORTEX_CONFIG: NO_CORTEX_CLI_CONFIG },
      stdin: stdin(`${TOKEN}\n`),
    });
    const stored = await login.run({ withToken: true }, deps());
    expect(stored).toEqual({
      ok: true,
      profile: 'prod',
      stored: true,
      tokenLastFour: 'K9Q2',
      keychain: `Linux Secret Service (service ${SERVICE})`,
    });
    const lookup = await secretTool(k, ['lookup', 'service', SERVICE, 'username', 'api-token:prod']);
    expect(lookup.stdout).toBe(TOKEN); // the newline was trimmed, nothing else

    const st = await status.run({}, deps());
    expect(st).toMatchObject({ profile: 'prod', source: 'keychain', tokenLastFour: 'K9Q2' });

    const out = await logout.run({}, deps());
    expect(out).toMatchObject({ profile: 'prod', deleted: true, envTokenSet: false });
    expect((await secretTool(k, ['lookup', 'service', SERVICE, 'username', 'api-token:prod'])).stdout).toBe(
      '',
    );
    expect((await logout.run({}, deps())).deleted).toBe(false);

    const none = await status.run({}, deps());
    expect(none).toMatchObject({ source: 'none', code: 'SECRET_NOT_FOUND', tokenLastFour: '' });

    // Nothing a user sees, and nothing on disk, holds the token.
    const shown = [stored, st, out, none].map((r) => JSON.stringify(r)).join('\n');
    const text = [
      login.formatText(stored),
      status.formatText(st),
      logout.formatText(out),
      status.formatText(none),
    ];
    expect(shown + text.join('\n')).not.toContain(TOKEN);
    expect(text[0]).toContain('****K9Q2');
    for (const f of readdirSync(root)) expect(readFileSync(join(root, f), 'utf8')).not.toContain(TOKEN);
  });

  it('--profile wins over CORTEX_SSO_PROFILE and keeps profiles apart', async () => {
    const env = { CORTEX_SSO_PROFILE: 'prod', CORTEX_CONFIG: NO_CORTEX_CLI_CONFIG };
    await login.run({ withToken: true, profile: 'ci' }, { keychain, env, stdin: stdin(TOKEN) });
    expect((await status.run({ profile: 'ci' }, { keychain, env })).source).toBe('keychain');
    expect((await status.run({}, { keychain, env })).source).toBe('none');
    expect((await logout.run({ profile: 'ci' }, { keychain, env })).deleted).toBe(true);
  });

  it('status prefers CORTEX_API_KEY and logout says it is still set', async () => {
    const env = { CORTEX_API_KEY: 'ctx_from_env_token_ENV1' };
    const st = await status.run({}, { keychain, env });
    expect(st).toMatchObject({ profile: 'default', source: 'env', tokenLastFour: 'ENV1' });
    expect(status.formatText(st)).toContain('CORTEX_API_KEY');
    const out = await logout.run({}, { keychain, env });
    expect(out.envTokenSet).toBe(true);
    expect(logout.formatText(out)).toContain('CORTEX_API_KEY is still set');
  });
});

describe('auth login input checks (in-memory keychain)', () => {
  const base = () => ({
    keychain: createMemoryKeychain(),
    env: { CORTEX_CONFIG: NO_CORTEX_CLI_CONFIG },
  });

  it('rejects empty, whitespace-containing and multi-line tokens without storing anything', async () => {
    for (const bad of ['', '\n', '  \n', 'abc def', 'line1\nline2\n', `${TOKEN}\n\n`, '\tabc']) {
      const deps = { ...base(), stdin: stdin(bad) };
      expect(await codeOf(login.run({ withToken: true }, deps))).toBe('INPUT_INVALID');
      expect(deps.keychain.accounts()).toEqual([]);
    }
  });

  it('accepts CRLF input, and refuses to run without --with-token or stdin', async () => {
    const deps = { ...base(), stdin: stdin(`${TOKEN}\r\n`) };
    expect((await login.run({ withToken: true }, deps)).tokenLastFour).toBe('K9Q2');
    expect((await deps.keychain.get('api-token:default'))?.reveal()).toBe(TOKEN);
    expect(await codeOf(login.run({}, { ...base(), stdin: stdin(TOKEN) }))).toBe('INPUT_MISSING');
    expect(await codeOf(login.run({ withToken: true }, base()))).toBe('INPUT_MISSING');
  });

  it('passes keychain failures through with their code (locked is not "not found")', async () => {
    const keychain = createMemoryKeychain({ state: 'locked' });
    const deps = {
      keychain,
      env: { CORTEX_CONFIG: NO_CORTEX_CLI_CONFIG },
    };
    expect(await codeOf(status.run({}, deps))).toBe('KEYCHAIN_LOCKED');
    expect(await codeOf(logout.run({}, deps))).toBe('KEYCHAIN_LOCKED');
    expect(await codeOf(login.run({ withToken: true }, { ...deps, stdin: stdin(TOKEN) }))).toBe(
      'KEYCHAIN_LOCKED',
    );
  });
});
