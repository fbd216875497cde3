import { describe, expect, it } from 'vitest';
import {
  DEFAULT_API_URL,
  resolveApiToken,
  resolveApiUrl,
  resolveProfileName,
} from '../../src/config/resolve.ts';
import { Secret } from '../../src/secret.ts';
import { codeOf } from '../support/errors.ts';
import { createMemoryKeychain } from '../support/memory-keychain.ts';

describe('resolveProfileName', () => {
  it('takes --profile, then CORTEX_SSO_PROFILE, else "default"', () => {
    expect(resolveProfileName('flag', { CORTEX_SSO_PROFILE: 'env' })).toBe('flag');
    expect(resolveProfileName(undefined, { CORTEX_SSO_PROFILE: 'env' })).toBe('env');
    expect(resolveProfileName(undefined, {})).toBe('default');
    expect(resolveProfileName('', { CORTEX_SSO_PROFILE: '' })).toBe('default');
  });

  it('rejects names outside [A-Za-z0-9_.-]{1,64} with INPUT_INVALID', () => {
    expect(codeOf(() => resolveProfileName('prod/eu', {}))).toBe('INPUT_INVALID');
    expect(codeOf(() => resolveProfileName(undefined, { CORTEX_SSO_PROFILE: 'a b' }))).toBe('INPUT_INVALID');
    expect(codeOf(() => resolveProfileName('p'.repeat(65), {}))).toBe('INPUT_INVALID');
    expect(resolveProfileName('p'.repeat(64), {})).toHaveLength(64);
    expect(resolveProfileName('Prod_eu-1.2', {})).toBe('Prod_eu-1.2');
  });
});

describe('resolveApiUrl', () => {
  const profile = { apiUrl: 'https://profile.example.test/' };
  it('takes --api-url, then CORTEX_BASE_URL, then the profile, else the cloud API', () => {
    const env = { CORTEX_BASE_URL: 'https://env.example.test' };
    expect(resolveApiUrl('https://flag.example.test', env, profile)).toEqual({
      value: 'https://flag.example.test',
      source: 'flag',
    });
    expect(resolveApiUrl(undefined, env, profile)).toEqual({
      value: 'https://env.example.test',
      source: 'env',
    });
    expect(resolveApiUrl(undefined, {}, profile)).toEqual({
      value: 'https://profile.example.test',
      source: 'profile',
    });
    expect(resolveApiUrl(undefined, {})).toEqual({ value: DEFAULT_API_URL, source: 'default' });
  });

  it('strips trailing slashes and keeps a base path', () => {
    expect(resolveApiUrl('https://cortex.corp.test/api//', {}).value).toBe('https://cortex.corp.test/api');
  });

  it('allows http only for loopback hosts', () => {
    expect(resolveApiUrl('http://127.0.0.1:8080/', {}).value).toBe('http://127.0.0.1:8080');
    expect(resolveApiUrl('http://localhost:3000', {}).value).toBe('http://localhost:3000');
    expect(resolveApiUrl('http://[::1]:3000', {}).value).toBe('http://[::1]:3000');
    expect(codeOf(() => resolveApiUrl('http://api.getcortexapp.com', {}))).toBe('INPUT_INVALID');
    expect(codeOf(() => resolveApiUrl(undefined, { CORTEX_BASE_URL: 'ftp://x.test' }))).toBe('INPUT_INVALID');
    expect(codeOf(() => resolveApiUrl('not a url', {}))).toBe('INPUT_INVALID');
    expect(codeOf(() => resolveApiUrl('https://user:pw@x.test', {}))).toBe('INPUT_INVALID');
    expect(codeOf(() => resolveApiUrl('https://x.test/?a=1', {}))).toBe('INPUT_INVALID');
  });
});

describe('resolveApiToken', () => {
  const stored = 'ctx_keychain_token_ABCD';
  it('prefers CORTEX_API_KEY, then the keychain entry api-token:<profile>', async () => {
    const kc = createMemoryKeychain({ initial: { 'api-token:prod': stored } });
    const fromEnv = await resolveApiToken({ CORTEX_API_KEY: 'ctx_env_token_WXYZ' }, kc, 'prod');
    expect(fromEnv?.source).toBe('env');
    expect(fromEnv?.token).toBeInstanceOf(Secret);
    expect(fromEnv?.token.lastFour).toBe('WXYZ');
    const fromKc = await resolveApiToken({}, kc, 'prod');
    expect(fromKc?.source).toBe('keychain');
    expect(fromKc?.token.reveal()).toBe(stored);
    expect(await resolveApiToken({}, kc, 'other')).toBeNull();
    expect(await resolveApiToken({ CORTEX_API_KEY: '' }, kc, 'other')).toBeNull();
  });

  it('does not touch the keychain when the environment has a token', async () => {
    const kc = createMemoryKeychain({ state: 'locked' });
    expect((await resolveApiToken({ CORTEX_API_KEY: 'ctx_env_token_WXYZ' }, kc, 'p'))?.source).toBe('env');
    await expect(resolveApiToken({}, kc, 'p')).rejects.toMatchObject({ code: 'KEYCHAIN_LOCKED' });
  });
});
