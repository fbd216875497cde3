// The Cortex API session of a connector command: which key (CORTEX_API_KEY, the keychain, Cortex's
// own CLI config) and which API URL, and the client over them.
import { readCortexCliTenant } from '../../config/cortex-cli-config.js';
import { type Env, resolveApiToken, resolveApiUrl, type TokenSource } from '../../config/resolve.js';
import type { Profile } from '../../config/store.js';
import type { CortexClient } from '../../cortex/client.js';
import { CortexSsoError } from '../../errors.js';
import type { ConnectorDeps } from './shared.js';

export interface ApiSession {
  client: CortexClient;
  apiUrl: string;
  apiUrlSource: string;
  tokenSource: TokenSource;
  /** Where the key came from, in words (never the key). */
  tokenWhere: string;
}

/**
 * The API client for a profile, or an error that says how to give a key. The key comes from
 * CORTEX_API_KEY, the keychain, or Cortex's own CLI config (~/.cortex/config, section --tenant /
 * CORTEX_TENANT_ALIAS), read-only.
 */
export async function openApi(
  profileName: string,
  profile: Profile | undefined,
  apiUrlFlag: string | undefined,
  deps: Pick<ConnectorDeps, 'io' | 'keychain' | 'createClient'>,
  tenantFlag?: string,
): Promise<ApiSession> {
  const env = deps.io.env as Env;
  let cli: ReturnType<typeof readCortexCliTenant> | undefined;
  const cortexCli = () => {
    cli ??= readCortexCliTenant(env, tenantFlag);
    return cli;
  };
  const token = await resolveApiToken(env, deps.keychain, profileName, cortexCli);
  const apiUrl = resolveApiUrl(apiUrlFlag, env, profile, cortexCli());
  if (!token) {
    throw new CortexSsoError('API_UNAUTHORIZED', `No Cortex API key for profile "${profileName}".`, {
      detail:
        "Give one with CORTEX_API_KEY, `cortex-sso auth login` (kept in the keychain), or api_key in ~/.cortex/config (Cortex's own CLI; --tenant picks the section).",
    });
  }
  return {
    client: deps.createClient(apiUrl.value, token.token),
    apiUrl: apiUrl.value,
    apiUrlSource: apiUrl.source,
    tokenSource: token.source,
    tokenWhere: token.where,
  };
}
