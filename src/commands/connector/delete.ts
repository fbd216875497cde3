import { resolveProfileName } from '../../config/resolve.js';
import type { OidcConnection } from '../../cortex/types.js';
import { CortexSsoError } from '../../errors.js';
import type { DeleteResult } from '../../result.js';
import { clientSecretAccount } from '../../secrets/keychain.js';
import { openApi } from './api-session.js';
import type { ConnectorDeps } from './shared.js';

export interface DeleteOptions {
  profile?: string;
  apiUrl?: string;
  tenant?: string;
  /** Delete this connection in Cortex only (e.g. the old one left by a failed rotation); local state stays. */
  connectionId?: string;
  yes?: boolean;
}

/**
 * Deletes the profile's connection in Cortex, by its connection id (after confirmation), then the
 * local secret and connection settings. Never "delete all"; other connections are left alone.
 */
export async function run(opts: DeleteOptions, deps: ConnectorDeps): Promise<DeleteResult> {
  const profileName = resolveProfileName(opts.profile, deps.io.env);
  const profile = deps.config.getProfile(profileName);
  if (opts.connectionId !== undefined && opts.connectionId.trim() === '') {
    throw new CortexSsoError('INPUT_INVALID', '--connection-id is empty; name the connection to delete.');
  }
  if (!opts.yes && !deps.interactive) {
    throw new CortexSsoError(
      'INPUT_MISSING',
      'Refusing to delete without confirmation: pass --yes (cannot prompt here).',
    );
  }
  const api = await openApi(profileName, profile, opts.apiUrl, deps, opts.tenant);
  const [listing, { findProfileConnection, describeListing }] = await Promise.all([
    api.client.listConfigurations(),
    import('../../cortex/connections.js'),
  ]);

  let target: OidcConnection | null;
  if (opts.connectionId !== undefined) {
    target = listing.oidc.find((c) => c.connectionId === opts.connectionId?.trim()) ?? null;
  } else {
    target = findProfileConnection(listing, profile ?? {}).connection;
  }
  if (!target) {
    const which =
      opts.connectionId !== undefined
        ? `no OIDC connection with id "${opts.connectionId.trim()}"`
        : profile?.clientId || profile?.connectionId
          ? `no connection matching profile "${profileName}" (client ${profile.clientId ?? '?'}, issuer ${profile.issuer ?? '?'})`
          : `no connection recorded in profile "${profileName}"`;
    throw new CortexSsoError('CONNECTOR_NOT_FOUND', `Nothing deleted: Cortex (${api.apiUrl}) has ${which}.`, {
      detail: `Cortex holds: ${describeListing(listing)}. Name one with --connection-id ID.`,
    });
  }
  if (!target.connectionId) {
    throw new CortexSsoError(
      'API_BAD_ANSWER',
      `Nothing deleted: Cortex lists the connection (client ${target.clientId}) without a connection id, so it cannot be deleted by id.`,
      { detail: 'Remove it in Cortex: Settings > Security and access > OpenID connector.' },
    );
  }
  // --connection-id deletes in Cortex only (e.g. the old connection a failed rotation left beside the
  // new one): the profile and its secret stay. Without it, the profile's own connection goes, and so
  // do its local secret and settings.
  const mine = opts.connectionId === undefined;

  if (!opts.yes) {
    const others = listing.oidc.length - 1;
    const sure = await deps.prompter.confirm(
      `Delete the ${target.connectionType} connection "${target.connectionId}" (client ${target.clientId}, issuer ${target.issuer}) from ${api.apiUrl}${
        others > 0 ? ` (${others} other OIDC connection(s) stay)` : ''
      }${mine ? `, and the local secret of profile "${profileName}"` : ''}?`,
      false,
    );
    if (!sure) throw new CortexSsoError('INPUT_MISSING', 'Cancelled: nothing was deleted.');
  }

  const outcome = await api.client.deleteConnection(target.connectionId);
  const result: DeleteResult = {
    ok: true,
    profile: profileName,
    apiUrl: api.apiUrl,
    connection: target,
    remoteDeleted: outcome === 'deleted',
    secretDeleted: false,
    configUpdated: false,
  };
  if (!mine) return result;
  try {
    result.secretDeleted = await deps.keychain.delete(clientSecretAccount(profileName));
  } catch (err) {
    if (!(err instanceof CortexSsoError)) throw err;
    result.secretError = { code: err.code, message: err.message };
  }
  if (profile && (profile.clientId || profile.issuer || profile.type || profile.connectionId)) {
    const { clientId: _c, issuer: _i, type: _t, connectionId: _id, ...rest } = profile;
    deps.config.setProfile(profileName, { ...rest, updatedAt: (deps.now?.() ?? new Date()).toISOString() });
    result.configUpdated = true;
  }
  return result;
}

/** The result type lives with the others in src/result.ts (the renderers read it from there). */
export type { DeleteResult } from '../../result.js';
