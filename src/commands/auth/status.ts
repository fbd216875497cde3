import { resolveApiToken, resolveProfileName } from '../../config/resolve.js';
import type { AuthDeps } from './login.js';

export interface StatusOptions {
  profile?: string;
}

export interface StatusResult {
  profile: string;
  source: 'env' | 'keychain' | 'none';
  /** Empty when no token or a token shorter than 8 characters. */
  tokenLastFour: string;
  keychain: string;
  /** Set when no token was found: not an exception, a state. */
  code?: 'SECRET_NOT_FOUND';
}

export async function run(opts: StatusOptions, deps: AuthDeps): Promise<StatusResult> {
  const profile = resolveProfileName(opts.profile, deps.env);
  const found = await resolveApiToken(deps.env, deps.keychain, profile);
  const keychain = deps.keychain.description;
  if (!found) return { profile, source: 'none', tokenLastFour: '', keychain, code: 'SECRET_NOT_FOUND' };
  return { profile, source: found.source, tokenLastFour: found.token.lastFour, keychain };
}

export function formatText(result: StatusResult): string {
  switch (result.source) {
    case 'env':
      return `Profile "${result.profile}": API token from CORTEX_API_TOKEN (****${result.tokenLastFour}).`;
    case 'keychain':
      return [
        `Profile "${result.profile}": API token from the keychain (****${result.tokenLastFour}).`,
        `Keychain: ${result.keychain}`,
      ].join('\n');
    default:
      return [
        `Profile "${result.profile}": no API token (SECRET_NOT_FOUND).`,
        'Run `cortex-sso auth login --with-token` (token on stdin) or set CORTEX_API_TOKEN.',
      ].join('\n');
  }
}
