import { resolveProfileName } from '../../config/resolve.js';
import { apiTokenAccount } from '../../secrets/keychain.js';
import type { AuthDeps } from './login.js';

export interface LogoutOptions {
  profile?: string;
}

export interface LogoutResult {
  profile: string;
  /** Whether a stored token existed and was deleted. */
  deleted: boolean;
  keychain: string;
  /** CORTEX_API_KEY is set: commands will keep using it after logout. */
  envTokenSet: boolean;
}

export async function run(opts: LogoutOptions, deps: AuthDeps): Promise<LogoutResult> {
  const profile = resolveProfileName(opts.profile, deps.env);
  const deleted = await deps.keychain.delete(apiTokenAccount(profile));
  return {
    profile,
    deleted,
    keychain: deps.keychain.description,
    envTokenSet: (deps.env.CORTEX_API_KEY ?? '').trim() !== '',
  };
}

export function formatText(result: LogoutResult): string {
  const lines = [
    result.deleted
      ? `Removed the stored API token for profile "${result.profile}".`
      : `No API token was stored for profile "${result.profile}"; nothing to remove.`,
  ];
  if (result.envTokenSet)
    lines.push('Note: CORTEX_API_KEY is still set in the environment and will be used.');
  return lines.join('\n');
}
