/**
 * The Okta API token for the Okta-side audit (the okta-* checks; which checklists run them is in the
 * registry, src/checks/index.ts). They run only when CheckOptions.oktaApiToken is set.
 */
import { CortexSsoError } from '../errors.js';
import { resolveOktaToken } from '../okta/management.js';
import type { Secret } from '../secret.js';
import type { Keychain } from '../secrets/keychain.js';

export { oktaTokenAccount } from '../okta/management.js';

/**
 * For `connector verify` and `connector set`'s pre-flight: the Okta API token when one is available
 * (OKTA_API_TOKEN, else the keychain entry of `auth login --okta`), else undefined. A keychain that
 * cannot be read (CI, locked) means "no token" here, so the audit is simply left out.
 */
export async function oktaTokenIfAvailable(
  env: Readonly<Record<string, string | undefined>>,
  keychain: Pick<Keychain, 'get'>,
  profile: string,
): Promise<Secret | undefined> {
  try {
    return (await resolveOktaToken(env, keychain, profile))?.token;
  } catch (err) {
    if (err instanceof CortexSsoError && err.code.startsWith('KEYCHAIN_')) return undefined;
    throw err;
  }
}
