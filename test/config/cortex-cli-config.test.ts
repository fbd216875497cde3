// Reading Cortex CLI's ~/.cortex/config the way cortexapps/cli does (cortexapps_cli/cli.py:
// configparser, a section per tenant alias, api_key and base_url, CORTEX_CONFIG and
// CORTEX_TENANT_ALIAS), and where it stands in the key and URL precedence.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseIni, readCortexCliTenant } from '../../src/config/cortex-cli-config.js';
import { resolveApiToken, resolveApiUrl } from '../../src/config/resolve.js';
import { createMemoryKeychain } from '../support/memory-keychain.ts';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'cortex-cli-home-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function writeConfig(text: string, file = join(home, '.cortex', 'config')): string {
  rmSync(join(file, '..'), { recursive: true, force: true });
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

// What `cortex login` writes (configparser's own output: "key = value", a blank line between sections).
const WRITTEN_BY_CORTEX_LOGIN = `[default]
api_key = ctx_default_key_AAAA

[staging]
api_key = ctx_staging_key_BBBB
base_url = https://api.staging.cortex.internal

`;

describe('parseIni (configparser defaults)', () => {
  it('reads sections, = and : delimiters, case-insensitive keys, comments, continuations and DEFAULT', () => {
    const ini = parseIni(
      '# comment\n; another\n[DEFAULT]\nbase_url = https://d.test\n[Prod]\nAPI_KEY: k1\nnote = first\n  second line\n',
    );
    expect(ini.get('Prod')?.get('api_key')).toBe('k1');
    expect(ini.get('Prod')?.get('note')).toBe('first\nsecond line');
    expect(ini.get('prod')).toBeUndefined();
    expect(ini.get('DEFAULT')?.get('base_url')).toBe('https://d.test');
  });
});

describe('readCortexCliTenant', () => {
  it('reads the default section of ~/.cortex/config, and --tenant / CORTEX_TENANT_ALIAS pick another', () => {
    writeConfig(WRITTEN_BY_CORTEX_LOGIN);
    expect(readCortexCliTenant({}, undefined, home)).toMatchObject({
      tenant: 'default',
      apiKey: 'ctx_default_key_AAAA',
    });
    expect(readCortexCliTenant({ CORTEX_TENANT_ALIAS: 'staging' }, undefined, home)).toMatchObject({
      tenant: 'staging',
      apiKey: 'ctx_staging_key_BBBB',
      baseUrl: 'https://api.staging.cortex.internal',
    });
    expect(readCortexCliTenant({ CORTEX_TENANT_ALIAS: 'staging' }, 'default', home)?.tenant).toBe('default');
  });

  it('CORTEX_CONFIG moves the file; values lose quotes, spaces and a trailing slash as in cli.py', () => {
    const file = writeConfig(
      `[default]\napi_key = "ctx_quoted_CCCC" \nbase_url = 'https://api.example.test/'\n`,
      join(home, 'elsewhere', 'cfg'),
    );
    expect(readCortexCliTenant({ CORTEX_CONFIG: file }, undefined, '/nonexistent')).toMatchObject({
      file,
      apiKey: 'ctx_quoted_CCCC',
      baseUrl: 'https://api.example.test',
    });
  });

  it('no file: null; an unknown tenant asked for by name: an error listing the sections', () => {
    expect(readCortexCliTenant({}, undefined, home)).toBeNull();
    writeConfig(WRITTEN_BY_CORTEX_LOGIN);
    expect(() => readCortexCliTenant({}, 'prod', home)).toThrow(
      /Tenant "prod" is not in .*; it has: default, staging/,
    );
  });

  it('a config path that cannot be read is an error naming it, never silently skipped', () => {
    // A directory where the file should be: unreadable for every user, root included.
    mkdirSync(join(home, 'cfgdir'));
    expect(() => readCortexCliTenant({ CORTEX_CONFIG: join(home, 'cfgdir') }, undefined, home)).toThrow(
      /Cannot read Cortex's CLI configuration .*cfgdir: EISDIR/,
    );
  });

  it('is never written to', async () => {
    const file = writeConfig(WRITTEN_BY_CORTEX_LOGIN);
    const before = statSync(file).mtimeMs;
    const kc = createMemoryKeychain();
    await resolveApiToken({}, kc, 'default', () => readCortexCliTenant({}, undefined, home));
    expect(readFileSync(file, 'utf8')).toBe(WRITTEN_BY_CORTEX_LOGIN);
    expect(statSync(file).mtimeMs).toBe(before);
  });
});

describe('precedence', () => {
  it('key: CORTEX_API_KEY, then the keychain, then ~/.cortex/config, each saying where it came from', async () => {
    writeConfig(WRITTEN_BY_CORTEX_LOGIN);
    const cli = () => readCortexCliTenant({}, undefined, home);
    const kc = createMemoryKeychain({ initial: { 'api-token:withkey': 'ctx_keychain_DDDD' } });
    expect(await resolveApiToken({ CORTEX_API_KEY: 'ctx_env_EEEE' }, kc, 'withkey', cli)).toMatchObject({
      source: 'env',
      where: 'CORTEX_API_KEY',
    });
    expect((await resolveApiToken({}, kc, 'withkey', cli))?.source).toBe('keychain');
    const fromCli = await resolveApiToken({}, kc, 'nokey', cli);
    expect(fromCli?.source).toBe('cortex-cli');
    expect(fromCli?.where).toBe(`${join(home, '.cortex', 'config')} [default]`);
    expect(fromCli?.token.reveal()).toBe('ctx_default_key_AAAA');
  });

  it('a locked or missing keychain does not hide the key in ~/.cortex/config; with none anywhere its error stands', async () => {
    writeConfig(WRITTEN_BY_CORTEX_LOGIN);
    const locked = createMemoryKeychain({ state: 'locked' });
    const cli = () => readCortexCliTenant({}, undefined, home);
    expect((await resolveApiToken({}, locked, 'p', cli))?.source).toBe('cortex-cli');
    rmSync(join(home, '.cortex'), { recursive: true });
    await expect(resolveApiToken({}, locked, 'p', cli)).rejects.toMatchObject({ code: 'KEYCHAIN_LOCKED' });
  });

  it('URL: --api-url, CORTEX_BASE_URL, the profile, then base_url of the tenant, else the cloud', () => {
    writeConfig(WRITTEN_BY_CORTEX_LOGIN);
    const staging = readCortexCliTenant({}, 'staging', home);
    expect(resolveApiUrl(undefined, {}, {}, staging)).toEqual({
      value: 'https://api.staging.cortex.internal',
      source: 'cortex-cli',
    });
    expect(resolveApiUrl(undefined, {}, { apiUrl: 'https://p.test' }, staging).source).toBe('profile');
    expect(resolveApiUrl(undefined, { CORTEX_BASE_URL: 'https://e.test' }, {}, staging).source).toBe('env');
    expect(resolveApiUrl(undefined, {}, {}, readCortexCliTenant({}, undefined, home)).source).toBe('default');
  });
});
