import { readCortexCliTenant } from '../../config/cortex-cli-config.js';
import { resolveApiToken, resolveProfileName } from '../../config/resolve.js';
import type { AuthDeps } from './login.js';

export interface StatusOptions {
  profile?: string;
  /** Section of Cortex CLI's ~/.cortex/config to read. */
  tenant?: string;
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
}

export async function run(opts: StatusOptions, deps: AuthDeps): Promise<StatusResult> {
  const profile = resolveProfileName(opts.profile, deps.env);
  const found = await resolveApiToken(deps.env, deps.keychain, profile, () =>
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
    };
  }
  return {
    ok: true,
    profile,
    source: found.source,
    where: found.where,
    tokenLastFour: found.token.lastFour,
    keychain,
  };
}

export function formatText(result: StatusResult): string {
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
