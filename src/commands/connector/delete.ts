import { resolveProfileName } from '../../config/resolve.js';
import { CortexSsoError } from '../../errors.js';
import { clientSecretAccount } from '../../secrets/keychain.js';
import { type ConnectorDeps, openApi } from './shared.js';

export interface DeleteOptions {
  profile?: string;
  apiUrl?: string;
  yes?: boolean;
}

export interface DeleteResult {
  profile: string;
  apiUrl: string;
  /** false when Cortex had no connector. */
  remoteDeleted: boolean;
  secretDeleted: boolean;
  /** Why the local secret could not be removed (keychain locked...); the remote is gone anyway. */
  secretError?: { code: string; message: string };
  configUpdated: boolean;
}

/** Remove the remote connector (after confirmation), then the local secret and connector settings. */
export async function run(opts: DeleteOptions, deps: ConnectorDeps): Promise<DeleteResult> {
  const profileName = resolveProfileName(opts.profile, deps.io.env);
  const profile = deps.config.getProfile(profileName);
  const api = await openApi(profileName, profile, opts.apiUrl, deps);

  if (!opts.yes) {
    if (!deps.interactive) {
      throw new CortexSsoError(
        'INPUT_MISSING',
        'Refusing to delete without confirmation: pass --yes (cannot prompt here).',
      );
    }
    const current = await api.client.getConnector();
    const what = current
      ? `the ${current.connector.type} connector for ${current.connector.issuer} (client ${current.connector.clientId})`
      : 'the connector (none is configured now)';
    const sure = await deps.prompter.confirm(
      `Delete ${what} from ${api.apiUrl}, and the local secret of profile "${profileName}"?`,
      false,
    );
    if (!sure) throw new CortexSsoError('INPUT_MISSING', 'Cancelled: nothing was deleted.');
  }

  const remoteDeleted = await api.client.deleteConnector();
  const result: DeleteResult = {
    profile: profileName,
    apiUrl: api.apiUrl,
    remoteDeleted,
    secretDeleted: false,
    configUpdated: false,
  };
  try {
    result.secretDeleted = await deps.keychain.delete(clientSecretAccount(profileName));
  } catch (err) {
    if (!(err instanceof CortexSsoError)) throw err;
    result.secretError = { code: err.code, message: err.message };
  }
  if (profile && (profile.clientId || profile.issuer || profile.type)) {
    const { clientId: _c, issuer: _i, type: _t, ...rest } = profile;
    deps.config.setProfile(profileName, { ...rest, updatedAt: (deps.now?.() ?? new Date()).toISOString() });
    result.configUpdated = true;
  }
  return result;
}
