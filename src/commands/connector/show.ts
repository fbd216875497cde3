import { resolveProfileName } from '../../config/resolve.js';
import type { Connector } from '../../cortex/types.js';
import { CortexSsoError } from '../../errors.js';
import { clientSecretAccount } from '../../secrets/keychain.js';
import { type ConnectorDeps, openApi } from './shared.js';

export interface ShowOptions {
  profile?: string;
  apiUrl?: string;
}

export interface ShowResult {
  profile: string;
  configPath: string;
  apiUrl: string;
  local: {
    type?: string;
    clientId?: string;
    issuer?: string;
    redirectUri?: string;
    updatedAt?: string;
    /** Where the secret is and its last four; never the secret. */
    secret: { where: string; lastFour: string } | { where: string; error: string; code: string } | null;
  } | null;
  remote: Connector | null;
  /** Why the live connector could not be read (no token, API down...). */
  remoteError?: { code: string; message: string };
  drift: Array<{ field: string; local: string | null; remote: string | null }>;
}

/** Local profile and the live connector side by side; drift between them flagged. */
export async function run(opts: ShowOptions, deps: ConnectorDeps): Promise<ShowResult> {
  const profileName = resolveProfileName(opts.profile, deps.io.env);
  const profile = deps.config.getProfile(profileName);

  let secret: NonNullable<ShowResult['local']>['secret'] = null;
  if (deps.io.env.CORTEX_SSO_CLIENT_SECRET) {
    const { Secret } = await import('../../secret.js');
    secret = {
      where: 'CORTEX_SSO_CLIENT_SECRET',
      lastFour: new Secret(deps.io.env.CORTEX_SSO_CLIENT_SECRET.trim()).lastFour,
    };
  } else {
    try {
      const s = await deps.keychain.get(clientSecretAccount(profileName));
      if (s) secret = { where: deps.keychain.description, lastFour: s.lastFour };
    } catch (err) {
      secret = {
        where: deps.keychain.description,
        error: err instanceof Error ? err.message : String(err),
        code: err instanceof CortexSsoError ? err.code : 'INTERNAL',
      };
    }
  }

  const result: ShowResult = {
    profile: profileName,
    configPath: deps.config.path,
    apiUrl: '',
    local: profile || secret ? { ...(profile ?? {}), secret } : null,
    remote: null,
    drift: [],
  };

  try {
    const api = await openApi(profileName, profile, opts.apiUrl, deps);
    result.apiUrl = api.apiUrl;
    const got = await api.client.getConnector();
    result.remote = got?.connector ?? null;
  } catch (err) {
    if (!(err instanceof CortexSsoError)) throw err;
    result.remoteError = { code: err.code, message: err.message };
    const { resolveApiUrl } = await import('../../config/resolve.js');
    try {
      result.apiUrl = resolveApiUrl(opts.apiUrl, deps.io.env, profile).value;
    } catch {
      // The URL itself is bad: already reported as remoteError.
    }
  }

  if (!result.remoteError && (profile?.clientId || profile?.issuer || result.remote)) {
    const r = result.remote;
    const pairs: Array<[string, string | null, string | null]> = [
      ['type', profile?.type ?? null, r?.type ?? null],
      ['clientId', profile?.clientId ?? null, r?.clientId ?? null],
      ['issuer', profile?.issuer ?? null, r?.issuer ?? null],
    ];
    if (secret && 'lastFour' in secret)
      pairs.push(['clientSecretLastFour', secret.lastFour, r?.clientSecretLastFour ?? null]);
    result.drift = pairs
      .filter(([, l, rv]) => l !== rv)
      .map(([field, local, remote]) => ({ field, local, remote }));
  }
  return result;
}
