/**
 * The Okta-side audit as a list of checks for the runner (src/checks/runner.ts), so `okta audit`,
 * `connector verify` and `connector set`'s pre-flight report it the same way: results, codes, advice,
 * JSON, JUnit and exit codes. The checks run only when CheckOptions.oktaApiToken is set; they need
 * the `proxy` check's route when it is in the list (it is in loadDiagnoseChecks()).
 */
import { CortexSsoError } from '../errors.js';
import { resolveOktaToken } from '../okta/management.js';
import type { Secret } from '../secret.js';
import type { Keychain } from '../secrets/keychain.js';
import { check as api } from './okta-api.js';
import { checks as appChecks } from './okta-app.js';
import { check as assignments } from './okta-assign.js';
import { check as policies } from './okta-policy.js';
import type { Check } from './types.js';

export { oktaTokenAccount, resolveOktaToken } from '../okta/management.js';

/** The okta-* checks, in display order. Each failure that would lock users out has status 'fail'. */
export function oktaAuditChecks(): Check[] {
  return [api, ...appChecks, assignments, policies];
}

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
