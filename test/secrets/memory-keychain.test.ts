import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/secret.ts';
import { createMemoryKeychain } from '../support/memory-keychain.ts';

describe('in-memory keychain', () => {
  it('has the OS keychain contract: null when absent, delete says whether it existed', async () => {
    const kc = createMemoryKeychain();
    expect(await kc.get('a')).toBeNull();
    await kc.set('a', new Secret('value-1234'));
    expect((await kc.get('a'))?.reveal()).toBe('value-1234');
    expect(kc.accounts()).toEqual(['a']);
    expect(await kc.delete('a')).toBe(true);
    expect(await kc.delete('a')).toBe(false);
  });

  it('simulates locked, unavailable and timeout with the real codes', async () => {
    const kc = createMemoryKeychain({ initial: { a: 'x' } });
    for (const [state, code] of [
      ['locked', 'KEYCHAIN_LOCKED'],
      ['unavailable', 'KEYCHAIN_UNAVAILABLE'],
      ['timeout', 'KEYCHAIN_TIMEOUT'],
    ] as const) {
      kc.simulate(state);
      await expect(kc.get('a')).rejects.toMatchObject({ code });
      await expect(kc.set('a', new Secret('y'))).rejects.toMatchObject({ code });
      await expect(kc.delete('a')).rejects.toMatchObject({ code });
    }
    kc.simulate('ok');
    expect((await kc.get('a'))?.reveal()).toBe('x');
  });
});
