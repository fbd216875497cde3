import { resolveProfileName } from '../../config/resolve.js';
import type { OidcConnection } from '../../cortex/types.js';
import { CortexSsoError, USAGE_CODES } from '../../errors.js';
import type { DriftEntry, ShowResult } from '../../result.js';
import { clientSecretAccount } from '../../secrets/keychain.js';
import { openApi } from './api-session.js';
import type { ConnectorDeps } from './shared.js';

export interface ShowOptions {
  profile?: string;
  apiUrl?: string;
  tenant?: string;
}

/** The profile's settings and what Cortex holds, side by side; drift between them flagged. */
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
    ok: true,
    profile: profileName,
    configPath: deps.config.path,
    apiUrl: '',
    local: profile || secret ? { ...(profile ?? {}), secret } : null,
    remote: null,
    drift: [],
  };

  try {
    const api = await openApi(profileName, profile, opts.apiUrl, deps, opts.tenant);
    result.apiUrl = api.apiUrl;
    result.apiKeySource = api.tokenWhere;
    const listing = await api.client.listConfigurations();
    const { findProfileConnection } = await import('../../cortex/connections.js');
    const match = findProfileConnection(listing, profile ?? {});
    result.remote = { connection: match.connection, oidc: listing.oidc, otherCount: listing.otherCount };
    result.drift = drift(profile ?? {}, match.connection, listing.oidc);
  } catch (err) {
    // A value the user gave that cannot be used (a --tenant not in ~/.cortex/config) is a usage error.
    if (!(err instanceof CortexSsoError) || USAGE_CODES.has(err.code)) throw err;
    result.remoteError = { code: err.code, message: err.message };
    const { resolveApiUrl } = await import('../../config/resolve.js');
    try {
      result.apiUrl = resolveApiUrl(opts.apiUrl, deps.io.env, profile).value;
    } catch {
      // The URL itself is bad: already reported as remoteError.
    }
  }
  result.ok = !result.remoteError && result.drift.length === 0;
  if (result.drift.length > 0) result.code = 'CONNECTOR_DRIFT';
  return result;
}

function drift(
  profile: { clientId?: string; issuer?: string; type?: string; connectionId?: string },
  mine: OidcConnection | null,
  oidc: OidcConnection[],
): DriftEntry[] {
  const out: DriftEntry[] = [];
  const pushed = Boolean(profile.clientId || profile.issuer || profile.connectionId);
  if (pushed && !mine) {
    out.push({
      field: 'connection',
      local: profile.connectionId ?? `client ${profile.clientId ?? '?'} at ${profile.issuer ?? '?'}`,
      remote: null,
    });
  }
  if (mine) {
    const pairs: Array<[string, string | null, string | null]> = [
      ['clientId', profile.clientId ?? null, mine.clientId],
      ['issuer', profile.issuer ?? null, mine.issuer],
      ['connectionType', profile.type ? profile.type.toUpperCase() : null, mine.connectionType.toUpperCase()],
    ];
    for (const [field, local, remote] of pairs) {
      if (local !== null && local !== remote) out.push({ field, local, remote });
    }
  }
  if (oidc.length > 1) {
    out.push({ field: 'connections', local: pushed ? '1' : '0', remote: String(oidc.length) });
  }
  return out;
}

/** The result type lives with the others in src/result.ts (the renderers read it from there). */
export type { DriftEntry, ShowResult } from '../../result.js';
