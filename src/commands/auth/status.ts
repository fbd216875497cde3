import { resolveApiToken, resolveProfileName } from '../../config/resolve.js';
import { resolveOktaToken } from '../../okta/management.js';
import type { AuthDeps } from './login.js';

export interface StatusOptions {
  profile?: string;
  /** The Okta API token (OKTA_API_TOKEN or `auth login --okta`) instead of the Cortex one. */
  okta?: boolean;
}

export interface StatusResult {
  profile: string;
  source: 'env' | 'keychain' | 'none';
  /** Empty when no token or a token shorter than 8 characters. */
  tokenLastFour: string;
  keychain: string;
  /** Set when no token was found: not an exception, a state. */
  code?: 'SECRET_NOT_FOUND';
  /** Present when the Okta API token was asked about (`--okta`). */
  okta?: true;
}

export async function run(opts: StatusOptions, deps: AuthDeps): Promise<StatusResult> {
  const profile = resolveProfileName(opts.profile, deps.env);
  const found = opts.okta
    ? await resolveOktaToken(deps.env, deps.keychain, profile)
    : await resolveApiToken(deps.env, deps.keychain, profile);
  const keychain = deps.keychain.description;
  const okta = opts.okta ? { okta: true as const } : {};
  if (!found)
    return { profile, source: 'none', tokenLastFour: '', keychain, code: 'SECRET_NOT_FOUND', ...okta };
  return { profile, source: found.source, tokenLastFour: found.token.lastFour, keychain, ...okta };
}

export function formatText(result: StatusResult): string {
  if (result.okta) {
    switch (result.source) {
      case 'env':
        return `Profile "${result.profile}": Okta API token from OKTA_API_TOKEN (****${result.tokenLastFour}).`;
      case 'keychain':
        return [
          `Profile "${result.profile}": Okta API token from the keychain (****${result.tokenLastFour}).`,
          `Keychain: ${result.keychain}`,
        ].join('\n');
      default:
        return [
          `Profile "${result.profile}": no Okta API token (SECRET_NOT_FOUND).`,
          'Run `cortex-sso auth login --okta` (masked prompt, or --with-token on stdin) or set OKTA_API_TOKEN.',
        ].join('\n');
    }
  }
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
