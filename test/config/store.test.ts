import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configDir, openConfigStore, type Profile } from '../../src/config/store.ts';
import { CortexSsoError } from '../../src/errors.ts';
import { codeOf } from '../support/errors.ts';

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cortex-cfg-'));
  dir = join(root, 'cfg');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const PROFILE: Profile = {
  apiUrl: 'https://cortex.example.test',
  type: 'okta',
  clientId: '0oa1b2c3d4e5f6g7h8i9',
  issuer: 'https://acme.okta.com/oauth2/default',
  redirectUri: 'https://app.getcortexapp.com/login?tenantCode=acme',
  updatedAt: '2026-11-29T10:00:00.000Z',
};

describe('config store on a real directory', () => {
  it('round-trips profiles in a 0600 file named by .path', () => {
    const store = openConfigStore({ dir });
    expect(store.path).toBe(join(dir, 'config.json'));
    expect(store.listProfiles()).toEqual([]);
    expect(store.getProfile('default')).toBeUndefined();

    store.setProfile('prod.eu', PROFILE);
    store.setProfile('default', { issuer: 'https://acme.okta.com' });
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o077).toBe(0);

    // A second store on the same dir (another process) sees the same data.
    const again = openConfigStore({ dir });
    expect(again.listProfiles()).toEqual(['default', 'prod.eu']);
    expect(again.getProfile('prod.eu')).toEqual(PROFILE);
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toEqual({
      profiles: { 'prod.eu': PROFILE, default: { issuer: 'https://acme.okta.com' } },
    });
  });

  it('reading does not create a file; writing leaves no temporary files behind', () => {
    const store = openConfigStore({ dir });
    store.getProfile('default');
    store.listProfiles();
    expect(existsSync(store.path)).toBe(false);
    store.setProfile('default', PROFILE);
    store.setProfile('default', { ...PROFILE, clientId: 'changed' });
    expect(readdirSync(dir)).toEqual(['config.json']);
    expect(store.getProfile('default')?.clientId).toBe('changed');
  });

  it('deletes a profile and says whether it existed', () => {
    const store = openConfigStore({ dir });
    store.setProfile('a', PROFILE);
    store.setProfile('b', PROFILE);
    expect(store.deleteProfile('a')).toBe(true);
    expect(store.deleteProfile('a')).toBe(false);
    expect(store.listProfiles()).toEqual(['b']);
  });

  it('reports a corrupt file as CONFIG_INVALID naming the path, and leaves it untouched', () => {
    const store = openConfigStore({ dir });
    store.setProfile('default', PROFILE);
    const broken = '{"profiles": {"default": {"issuer": "https://acme.okta.com"'; // cut short
    writeFileSync(store.path, broken);
    const fresh = openConfigStore({ dir });
    let err: unknown;
    try {
      fresh.listProfiles();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CortexSsoError);
    expect((err as CortexSsoError).code).toBe('CONFIG_INVALID');
    expect((err as CortexSsoError).message).toContain(store.path);
    expect(codeOf(() => fresh.setProfile('other', PROFILE))).toBe('CONFIG_INVALID');
    expect(readFileSync(store.path, 'utf8')).toBe(broken);
  });

  it('reports a file of the wrong shape as CONFIG_INVALID', () => {
    const store = openConfigStore({ dir });
    store.setProfile('default', PROFILE);
    writeFileSync(store.path, JSON.stringify({ profiles: ['not', 'an', 'object'] }));
    expect(codeOf(() => openConfigStore({ dir }).listProfiles())).toBe('CONFIG_INVALID');
  });

  it('refuses to write a secret-looking field, and the file never holds it', () => {
    const store = openConfigStore({ dir });
    store.setProfile('default', PROFILE);
    const before = readFileSync(store.path, 'utf8');
    for (const key of ['clientSecret', 'apiToken', 'password', 'client_secret']) {
      const sneaky = { ...PROFILE, [key]: 'sup3r-s3cret-value-1234' } as Profile;
      expect(codeOf(() => store.setProfile('default', sneaky))).toBe('INPUT_INVALID');
    }
    expect(readFileSync(store.path, 'utf8')).toBe(before);
    expect(readFileSync(store.path, 'utf8')).not.toContain('sup3r-s3cret');
  });

  it('refuses unknown fields and bad profile names', () => {
    const store = openConfigStore({ dir });
    expect(codeOf(() => store.setProfile('default', { colour: 'blue' } as Profile))).toBe('INPUT_INVALID');
    expect(codeOf(() => store.setProfile('default', { type: 'azure' } as unknown as Profile))).toBe(
      'INPUT_INVALID',
    );
    for (const bad of ['', 'a b', '../etc', 'x'.repeat(65), 'naïve']) {
      expect(codeOf(() => store.setProfile(bad, PROFILE))).toBe('INPUT_INVALID');
    }
    expect(existsSync(store.path)).toBe(false);
  });

  it('CORTEX_SSO_CONFIG_DIR moves the file', () => {
    const store = openConfigStore({ env: { CORTEX_SSO_CONFIG_DIR: dir } });
    store.setProfile('default', PROFILE);
    expect(store.path).toBe(join(dir, 'config.json'));
    expect(existsSync(join(dir, 'config.json'))).toBe(true);
  });
});

describe('configDir (no filesystem)', () => {
  it('follows each OS convention, with the override first', () => {
    expect(configDir({}, 'linux', '/home/u')).toBe('/home/u/.config/cortex-sso');
    expect(configDir({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux', '/home/u')).toBe('/x/cfg/cortex-sso');
    expect(configDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Preferences/cortex-sso');
    expect(configDir({ APPDATA: '/c/AppData/Roaming' }, 'win32', '/c')).toBe(
      join('/c/AppData/Roaming', 'cortex-sso', 'Config'),
    );
    expect(configDir({ CORTEX_SSO_CONFIG_DIR: '/opt/cfg', XDG_CONFIG_HOME: '/x' }, 'linux', '/home/u')).toBe(
      '/opt/cfg',
    );
  });
});
