import { readCortexCliTenant } from '../../config/cortex-cli-config.js';
import { resolveApiToken, resolveProfileName } from '../../config/resolve.js';
import { resolveOktaToken } from '../../okta/management.js';
import type { AuthDeps } from './login.js';

export interface StatusOptions {
  profile?: string;
  /** Section of Cortex CLI's ~/.cortex/config to read. */
  tenant?: string;
  /** The Okta API token (OKTA_API_TOKEN or `auth login --okta`) instead of the Cortex one. */
  okta?: boolean;
}

export interface StatusResult {
  ok: boolean;
  profile: string;
  source: 'env' | 'keychain' | 'cortex-cli' | 'none';
  /** Where the key came from, in words: `CORTEX_API_KEY`, the keychain, `~/.cortex/config [default]`. */
  where: string;
  /** Empty when no key or a key shorter than 8 characters. */
  tokenLastFour: string;
  keychain: string;
  /** Set when no key was found: not an exception, a state. */
  code?: 'SECRET_NOT_FOUND';
  /** Present when the Okta API token was asked about (`--okta`). */
  okta?: true;
}

export async function run(opts: StatusOptions, deps: AuthDeps): Promise<StatusResult> {
  const profile = resolveProfileName(opts.profile, deps.env);
  const okta = opts.okta ? { okta: true as const } : {};
  const found = opts.okta
    ? await resolveOktaToken(deps.env, deps.keychain, profile).then((f) =>
        f ? { ...f, where: f.source === 'env' ? 'OKTA_API_TOKEN' : deps.keychain.description } : null,
      )
    : await resolveApiToken(deps.env, deps.keychain, profile, () =>
        readCortexCliTenant(deps.env, opts.tenant),
      );
  const keychain = deps.keychain.description;
  if (!found) {
    return {
      ok: false,
      profile,
      source: 'none',
      where: '',
      tokenLastFour: '',
      keychain,
      code: 'SECRET_NOT_FOUND',
      ...okta,
    };
  }
  return {
    ok: true,
    profile,
    source: found.source,
    where: found.where,
    tokenLastFour: found.token.lastFour,
    keychain,
    ...okta,
  };
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
  const key = result.tokenLastFour ? `****${result.tokenLastFour}` : 'a short key';
  switch (result.source) {
    case 'env':
      return `Profile "${result.profile}": Cortex API key from CORTEX_API_KEY (${key}).`;
    case 'keychain':
      return `Profile "${result.profile}": Cortex API key from the keychain (${key}).\nKeychain: ${result.keychain}`;
    case 'cortex-cli':
      return `Profile "${result.profile}": Cortex API key from Cortex CLI's config ${result.where} (${key}), read-only.`;
    default:
      return [
        `Profile "${result.profile}": no Cortex API key (SECRET_NOT_FOUND).`,
        'Set CORTEX_API_KEY, run `cortex-sso auth login --with-token` (reads the key from stdin), or add api_key to ~/.cortex/config (--tenant picks the section).',
      ].join('\n');
  }
}
