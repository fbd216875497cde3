import { CortexSsoError } from '../../src/errors.js';
import { Secret } from '../../src/secret.js';
import type { Keychain } from '../../src/secrets/keychain.js';

export type MemoryKeychainState = 'ok' | 'locked' | 'unavailable' | 'timeout';

/** An in-memory keychain with the same contract as the OS one, for unit tests of commands. */
export interface MemoryKeychain extends Keychain {
  /** Make every following call behave like a locked, missing or hanging keychain. */
  simulate(state: MemoryKeychainState): void;
  /** Accounts currently stored (names only). */
  accounts(): string[];
}

export function createMemoryKeychain(opts?: {
  initial?: Record<string, string>;
  state?: MemoryKeychainState;
  description?: string;
}): MemoryKeychain {
  const store = new Map<string, string>(Object.entries(opts?.initial ?? {}));
  let state: MemoryKeychainState = opts?.state ?? 'ok';
  const description = opts?.description ?? 'in-memory keychain (tests)';

  function check(action: string): void {
    switch (state) {
      case 'locked':
        throw new CortexSsoError(
          'KEYCHAIN_LOCKED',
          `Cannot ${action}: the keychain (${description}) is locked.`,
        );
      case 'unavailable':
        throw new CortexSsoError(
          'KEYCHAIN_UNAVAILABLE',
          `Cannot ${action}: the keychain (${description}) is not available.`,
        );
      case 'timeout':
        throw new CortexSsoError('KEYCHAIN_TIMEOUT', `The keychain did not answer (${action}).`);
      default:
    }
  }

  return {
    description,
    async get(account) {
      check(`read ${account}`);
      const value = store.get(account);
      return value === undefined ? null : new Secret(value);
    },
    async set(account, secret) {
      check(`store ${account}`);
      store.set(account, secret.reveal());
    },
    async delete(account) {
      check(`delete ${account}`);
      return store.delete(account);
    },
    simulate(next) {
      state = next;
    },
    accounts() {
      return [...store.keys()].sort();
    },
  };
}
