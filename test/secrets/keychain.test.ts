import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CortexSsoError } from '../../src/errors.ts';
import { Secret } from '../../src/secret.ts';
import {
  apiTokenAccount,
  clientSecretAccount,
  createOsKeychain,
  type KeychainBackend,
  keychainFromBackend,
  secretServiceLocked,
} from '../../src/secrets/keychain.ts';
import {
  type PrivateKeyring,
  runKeychainInChild,
  secretTool,
  startPrivateKeyring,
} from '../support/keyring.ts';

const bus = inject('keyringBusAddress');
const skipReason = inject('keyringSkipReason');
// The native store reads the bus address once per process: set it before the first call.
if (bus) process.env.DBUS_SESSION_BUS_ADDRESS = bus;
if (!bus) console.warn(`[keychain.test] real-keyring tests skipped: ${skipReason}`);

// A service name of our own, so parallel test files never see each other's entries.
const SERVICE = `cortex-sso-test-kc-${process.pid}`;
const TOKEN = 'ctx_live_9f8e7d6c5b4a3210ZYXW';
const OTHER = 'ctx_live_0000111122223333QRST';

async function expectCode(p: Promise<unknown>, code: string): Promise<CortexSsoError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toBeInstanceOf(CortexSsoError);
  expect((err as CortexSsoError).code).toBe(code);
  return err as CortexSsoError;
}

describe('account names', () => {
  it('keeps one entry per kind and profile', () => {
    expect(clientSecretAccount('prod')).toBe('client-secret:prod');
    expect(apiTokenAccount('prod')).toBe('api-token:prod');
  });
});

describe.skipIf(!bus)('OS keychain on a real Secret Service (gnome-keyring, private bus)', () => {
  const kc = createOsKeychain({ service: SERVICE });
  const k = { env: { DBUS_SESSION_BUS_ADDRESS: bus } };

  afterAll(async () => {
    await kc.delete('roundtrip').catch(() => {});
    await kc.delete('overwrite').catch(() => {});
  });

  it('describes where secrets live', () => {
    expect(kc.description).toBe(`Linux Secret Service (service ${SERVICE})`);
  });

  it('stores, reads and deletes an entry that secret-tool really sees', async () => {
    expect(await kc.get('roundtrip')).toBeNull();
    await kc.set('roundtrip', new Secret(TOKEN));

    const search = await secretTool(k, ['search', '--all', 'service', SERVICE]);
    expect(search.code).toBe(0);
    expect(search.stdout + search.stderr).toContain('attribute.username = roundtrip');
    const lookup = await secretTool(k, ['lookup', 'service', SERVICE, 'username', 'roundtrip']);
    expect(lookup.stdout).toBe(TOKEN);

    const got = await kc.get('roundtrip');
    expect(got?.reveal()).toBe(TOKEN);
    // What a log or JSON result would show of it: the last four only.
    expect(String(got)).toBe('****ZYXW');
    expect(JSON.stringify({ got })).not.toContain(TOKEN);

    expect(await kc.delete('roundtrip')).toBe(true);
    const after = await secretTool(k, ['lookup', 'service', SERVICE, 'username', 'roundtrip']);
    expect(after.stdout).toBe('');
    expect(await kc.get('roundtrip')).toBeNull();
    expect(await kc.delete('roundtrip')).toBe(false);
  });

  it('overwrites an entry in place (one item, newest value)', async () => {
    await kc.set('overwrite', new Secret(TOKEN));
    await kc.set('overwrite', new Secret(OTHER));
    expect((await kc.get('overwrite'))?.reveal()).toBe(OTHER);
    const search = await secretTool(k, ['search', '--all', 'service', SERVICE, 'username', 'overwrite']);
    expect((search.stdout + search.stderr).match(/attribute\.username = overwrite/g)).toHaveLength(1);
    expect(await kc.delete('overwrite')).toBe(true);
  });

  it('reports KEYCHAIN_UNAVAILABLE without D-Bus and never falls back to another store', async () => {
    for (const env of [
      { PATH: process.env.PATH },
      { PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cortex-sso-bus' },
    ]) {
      const { results, stdout, stderr } = await runKeychainInChild({
        env,
        service: SERVICE,
        ops: [
          { op: 'set', account: 'nobus', value: TOKEN },
          { op: 'get', account: 'nobus' },
          { op: 'delete', account: 'nobus' },
        ],
      });
      expect(results.map((r) => [r.op, r.ok, r.code])).toEqual([
        ['set', false, 'KEYCHAIN_UNAVAILABLE'],
        ['get', false, 'KEYCHAIN_UNAVAILABLE'],
        ['delete', false, 'KEYCHAIN_UNAVAILABLE'],
      ]);
      expect(results[0]?.message).toMatch(/not available/);
      expect(stdout + stderr).not.toContain(TOKEN);
    }
  });

  it('reads back after set: a store that silently drops the write is an error', async () => {
    const dropping: KeychainBackend = {
      description: 'dropping store',
      get: async () => null,
      set: async () => {},
      delete: async () => false,
    };
    const err = await expectCode(
      keychainFromBackend(dropping, { timeoutMs: 2000 }).set('x', new Secret(TOKEN)),
      'KEYCHAIN_UNAVAILABLE',
    );
    expect(err.message).toMatch(/not stored/);
    expect(err.message).not.toContain(TOKEN);
  });
});

describe.skipIf(!bus)('a locked keyring is reported as locked, not as "not found"', () => {
  let locked: PrivateKeyring;
  const lockedService = `${SERVICE}-locked`;

  beforeAll(async () => {
    locked = await startPrivateKeyring();
    const seeded = await runKeychainInChild({
      env: { PATH: process.env.PATH, ...locked.env },
      service: lockedService,
      ops: [{ op: 'set', account: 'present', value: TOKEN }],
    });
    expect(seeded.results[0]?.ok).toBe(true);
    await locked.lock();
  });
  afterAll(async () => {
    await locked?.stop();
  });

  it('get (present and absent), set and delete all fail with KEYCHAIN_LOCKED', async () => {
    const { results, stdout, stderr } = await runKeychainInChild({
      env: { PATH: process.env.PATH, ...locked.env },
      service: lockedService,
      ops: [
        { op: 'get', account: 'present' },
        { op: 'get', account: 'absent' },
        { op: 'set', account: 'absent', value: OTHER },
        { op: 'delete', account: 'absent' },
        { op: 'delete', account: 'present' },
      ],
    });
    expect(results.map((r) => [r.op, r.code])).toEqual([
      ['get', 'KEYCHAIN_LOCKED'],
      ['get', 'KEYCHAIN_LOCKED'],
      ['set', 'KEYCHAIN_LOCKED'],
      ['delete', 'KEYCHAIN_LOCKED'],
      ['delete', 'KEYCHAIN_LOCKED'],
    ]);
    for (const r of results) expect(r.message).toMatch(/locked/);
    expect(stdout + stderr).not.toContain(TOKEN);
    expect(stdout + stderr).not.toContain(OTHER);
  });

  it('the D-Bus probe reads the Locked property of the default collection', async () => {
    expect(
      await secretServiceLocked({ PATH: process.env.PATH, ...locked.env }, new AbortController().signal),
    ).toBe(true);
    expect(
      await secretServiceLocked(
        { PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: bus },
        new AbortController().signal,
      ),
    ).toBe(false);
  });
});

describe('wrapper behaviour with injected backends', () => {
  it('times out a call that never answers with KEYCHAIN_TIMEOUT and aborts it', async () => {
    let aborted = false;
    const slow: KeychainBackend = {
      description: 'slow store',
      get: (_a, signal) =>
        new Promise(() => {
          signal.addEventListener('abort', () => {
            aborted = true;
          });
        }),
      set: () => new Promise(() => {}),
      delete: () => new Promise(() => {}),
    };
    const kc = keychainFromBackend(slow, { timeoutMs: 50 });
    const err = await expectCode(kc.get('api-token:default'), 'KEYCHAIN_TIMEOUT');
    expect(err.message).toContain('50 ms');
    expect(aborted).toBe(true);
    const setErr = await expectCode(kc.set('api-token:default', new Secret(TOKEN)), 'KEYCHAIN_TIMEOUT');
    expect(setErr.message).not.toContain(TOKEN);
    await expectCode(kc.delete('api-token:default'), 'KEYCHAIN_TIMEOUT');
  });

  it('never puts the secret into an error message, even when the store echoes it', async () => {
    const echoing: KeychainBackend = {
      description: 'echoing store',
      get: async () => null,
      set: async (_a, value) => {
        throw new Error(`Platform failure: cannot store ${value}`);
      },
      delete: async () => false,
    };
    const err = await expectCode(
      keychainFromBackend(echoing, { timeoutMs: 1000 }).set('a', new Secret(TOKEN)),
      'KEYCHAIN_UNAVAILABLE',
    );
    expect(err.message).not.toContain(TOKEN);
    expect(err.detail ?? '').not.toContain(TOKEN);
    expect(err.detail ?? '').toContain('****'); // the platform's words, scrubbed, live in the detail
  });

  it('maps "prompt dismissed" to KEYCHAIN_LOCKED and a null read from a locked store too', async () => {
    const lockedStore: KeychainBackend = {
      description: 'locked store',
      get: async () => null,
      set: async () => {
        throw new Error("Couldn't access platform storage: Secret Service: unlock prompt was dismissed");
      },
      delete: async () => false,
      isLocked: async () => true,
    };
    const kc = keychainFromBackend(lockedStore, { timeoutMs: 1000 });
    await expectCode(kc.get('a'), 'KEYCHAIN_LOCKED');
    await expectCode(kc.set('a', new Secret(TOKEN)), 'KEYCHAIN_LOCKED');
    await expectCode(kc.delete('a'), 'KEYCHAIN_LOCKED');
  });

  it('the lock probe falls back to gdbus when dbus-send is missing, and says "unknown" without tools', async () => {
    const calls: string[] = [];
    const gdbusOnly = async (file: string, args: string[]) => {
      calls.push(file);
      if (file === 'dbus-send') throw Object.assign(new Error('spawn dbus-send ENOENT'), { code: 'ENOENT' });
      if (args.includes('org.freedesktop.Secret.Service.ReadAlias')) {
        return "(objectpath '/org/freedesktop/secrets/collection/login',)\n";
      }
      return '(<true>,)\n';
    };
    expect(await secretServiceLocked({}, new AbortController().signal, gdbusOnly)).toBe(true);
    expect(calls).toEqual(['dbus-send', 'gdbus', 'gdbus']);
    const none = async () => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    expect(await secretServiceLocked({}, new AbortController().signal, none)).toBeUndefined();
  });
});
