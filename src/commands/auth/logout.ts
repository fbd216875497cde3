import { resolveProfileName } from '../../config/resolve.js';
import { oktaTokenAccount } from '../../okta/management.js';
import { apiTokenAccount } from '../../secrets/keychain.js';
import type { AuthDeps } from './login.js';

export interface LogoutOptions {
  profile?: string;
  /** Remove the Okta API token (`auth login --okta`) instead of the Cortex one. */
  okta?: boolean;
}

export interface LogoutResult {
  ok: true;
  profile: string;
  /** Whether a stored token existed and was deleted. */
  deleted: boolean;
  keychain: string;
  /** CORTEX_API_KEY is set: commands will keep using it after logout. */
  envTokenSet: boolean;
  /** Present when the Okta API token was removed (`--okta`). */
  okta?: true;
}

export async function run(opts: LogoutOptions, deps: AuthDeps): Promise<LogoutResult> {
  const profile = resolveProfileName(opts.profile, deps.env);
  const deleted = await deps.keychain.delete(
    opts.okta ? oktaTokenAccount(profile) : apiTokenAccount(profile),
  );
  return {
    ok: true,
    profile,
    deleted,
    keychain: deps.keychain.description,
    envTokenSet: ((opts.okta ? deps.env.OKTA_API_TOKEN : deps.env.CORTEX_API_KEY) ?? '').trim() !== '',
    ...(opts.okta ? { okta: true as const } : {}),
  };
}

export function formatText(result: LogoutResult): string {
  const which = result.okta ? 'Okta API token' : 'API token';
  const lines = [
    result.deleted
      ? `Removed the stored ${which} for profile "${result.profile}".`
      : `No ${which} was stored for profile "${result.profile}"; nothing to remove.`,
  ];
  if (result.envTokenSet)
    lines.push(
      `Note: ${result.okta ? 'OKTA_API_TOKEN' : 'CORTEX_API_KEY'} is still set in the environment and will be used.`,
    );
  return lines.join('\n');
}
