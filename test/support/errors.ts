// What a synchronous call throws, by code: the tests assert the code a user would see.
import { CortexSsoError } from '../../src/errors.ts';

/** The CortexSsoError code `fn` throws, undefined when it returns; any other error is rethrown. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof CortexSsoError) return err.code;
    throw err;
  }
  return undefined;
}
