/**
 * The connector's lifecycle on Cortex's real routes, which have no ETag and no update: which
 * connection belongs to a profile, and how to replace one without ever leaving the workspace
 * without a working connector (docs/api.md, "How cortex-sso changes the connector safely").
 */
import { CortexSsoError } from '../errors.js';
import { CortexApiError, type CortexClient, type OidcConnectionInput } from './client.js';
import type { OidcConnection, SsoListing } from './types.js';

/** What a profile remembers of the connection it pushed. */
export interface ConnectionRef {
  connectionId?: string | undefined;
  clientId?: string | undefined;
  issuer?: string | undefined;
}

export function sameValues(
  c: OidcConnection,
  v: { clientId: string; issuer: string; connectionType?: string },
) {
  return (
    c.clientId === v.clientId &&
    c.issuer === v.issuer &&
    (v.connectionType === undefined || c.connectionType.toUpperCase() === v.connectionType.toUpperCase())
  );
}

export interface ProfileMatch {
  /** The profile's connection, when one entry is it. */
  connection: OidcConnection | null;
  /** How it was found: by the saved connection id, or by client ID and issuer. */
  by?: 'connectionId' | 'values';
  /** Set when the profile's connection id is listed but with other values. */
  changed?: boolean;
}

/**
 * The profile's connection: the entry with its saved connection id, else the OIDC entry whose client
 * ID and issuer match the profile's.
 */
export function findProfileConnection(listing: SsoListing, ref: ConnectionRef): ProfileMatch {
  if (ref.connectionId) {
    const byId = listing.oidc.find((c) => c.connectionId === ref.connectionId);
    if (byId) {
      const changed =
        (ref.clientId !== undefined && byId.clientId !== ref.clientId) ||
        (ref.issuer !== undefined && byId.issuer !== ref.issuer);
      return { connection: byId, by: 'connectionId', ...(changed ? { changed } : {}) };
    }
  }
  if (ref.clientId && ref.issuer) {
    const clientId = ref.clientId;
    const issuer = ref.issuer;
    const byValues = listing.oidc.find((c) => sameValues(c, { clientId, issuer }));
    if (byValues) return { connection: byValues, by: 'values' };
  }
  return { connection: null };
}

/**
 * Which existing connection a new one replaces: the profile's; else one that already has the new
 * client ID and issuer (a secret rotation); else the workspace's only OIDC connection of that type.
 * null when none can be named safely (then nothing is deleted).
 */
export function connectionToReplace(
  listing: SsoListing,
  profile: ConnectionRef,
  next: { clientId: string; issuer: string; connectionType: string },
): OidcConnection | null {
  const mine = findProfileConnection(listing, profile).connection;
  if (mine) return mine;
  const same = listing.oidc.find((c) => sameValues(c, next));
  if (same) return same;
  const ofType = listing.oidc.filter(
    (c) => c.connectionType.toUpperCase() === next.connectionType.toUpperCase(),
  );
  return ofType.length === 1 ? (ofType[0] ?? null) : null;
}

export interface ReplaceOutcome {
  /** The new connection, as Cortex lists it after the POST. */
  created: OidcConnection;
  /** The old connection this command deleted, if any. */
  deleted: OidcConnection | null;
  /** The old connection disappeared on its own: Cortex's POST replaced it. */
  replacedByCortex: OidcConnection | null;
  notes: string[];
}

const show = (c: OidcConnection) =>
  `${c.connectionId ? `"${c.connectionId}"` : '(no id)'} (client ${c.clientId}, issuer ${c.issuer})`;

/**
 * POST the new connection, read the list back and confirm it, and only then delete the connection it
 * replaces, by id, and only if it differs from the new one. Never "delete all". Every failure says
 * what Cortex holds now: unchanged, or both connections.
 */
export async function replaceConnection(
  client: CortexClient,
  before: SsoListing,
  input: OidcConnectionInput,
  replaces: OidcConnection | null,
): Promise<ReplaceOutcome> {
  const values = { clientId: input.clientId, issuer: input.issuer, connectionType: input.connectionType };
  const beforeIds = new Set(before.oidc.map((c) => c.connectionId).filter((id) => id !== undefined));
  const keptOld = replaces ? ` The old connection ${show(replaces)} was kept.` : '';
  const notes: string[] = [];

  // 1. Create.
  let answered: OidcConnection | null;
  try {
    answered = await client.createOidcConnection(input);
  } catch (err) {
    if (!(err instanceof CortexSsoError)) throw err;
    const applied = err instanceof CortexApiError && err.mayHaveApplied;
    if (!applied) {
      throw withMessage(err, `${err.message} Nothing changed in Cortex, in the keychain or in the settings.`);
    }
    // The POST may have reached Cortex: look, and say exactly what is there now.
    let after: SsoListing | undefined;
    try {
      after = await client.listConfigurations();
    } catch {
      after = undefined;
    }
    const landed = after?.oidc.find(
      (c) => sameValues(c, values) && (c.connectionId === undefined || !beforeIds.has(c.connectionId)),
    );
    if (landed) {
      throw new CortexSsoError(
        'CONNECTOR_BOTH_KEPT',
        `${err.message} Yet Cortex now lists the new connection ${show(landed)}.${keptOld}`,
        {
          detail: `Cortex holds both connections; nothing local changed. Check sign-in, then ${deleteHint(replaces)}.`,
          cause: err,
        },
      );
    }
    if (after) {
      throw withMessage(
        err,
        `${err.message} Cortex does not list the new connection: nothing changed in Cortex, in the keychain or in the settings.`,
      );
    }
    throw withMessage(
      err,
      `${err.message} The request may have reached Cortex and the list could not be read back: run \`cortex-sso connector show\` to see whether the new connection exists. Nothing local changed.`,
    );
  }

  // 2. Read back and confirm.
  let after: SsoListing;
  try {
    after = await client.listConfigurations();
  } catch (err) {
    if (!(err instanceof CortexSsoError)) throw err;
    throw new CortexSsoError(
      'CONNECTOR_NOT_CONFIRMED',
      `Cortex accepted the new connection, but the list could not be read back to confirm it: ${err.message}${keptOld}`,
      {
        detail:
          'Cortex holds the new connection and, unless its POST replaced it, the old one; nothing local changed. Run `cortex-sso connector show`.',
        cause: err,
      },
    );
  }
  const candidates = after.oidc.filter((c) => sameValues(c, values));
  const created =
    (answered?.connectionId
      ? candidates.find((c) => c.connectionId === answered?.connectionId)
      : undefined) ??
    candidates.find((c) => c.connectionId === undefined || !beforeIds.has(c.connectionId)) ??
    candidates[0];
  if (!created) {
    throw new CortexSsoError(
      'CONNECTOR_NOT_CONFIRMED',
      `Cortex accepted the new connection (client ${input.clientId}, issuer ${input.issuer}), but its list shows no connection with these values.${keptOld}`,
      { detail: 'Nothing local changed. Run `cortex-sso connector show` to see what Cortex holds.' },
    );
  }

  // 3. Delete the one it replaces, by id, only when it is another connection and still there.
  let deleted: OidcConnection | null = null;
  let replacedByCortex: OidcConnection | null = null;
  if (replaces && replaces.connectionId !== created.connectionId) {
    const stillThere = replaces.connectionId
      ? after.oidc.some((c) => c.connectionId === replaces.connectionId)
      : true;
    if (!replaces.connectionId) {
      notes.push(
        `the old connection (client ${replaces.clientId}) has no connection id in Cortex's list, so it was left in place; remove it in Cortex's settings`,
      );
    } else if (!stillThere) {
      replacedByCortex = replaces;
      notes.push(`Cortex replaced the old connection ${show(replaces)} itself`);
    } else {
      try {
        const r = await client.deleteConnection(replaces.connectionId);
        if (r === 'not-found') {
          replacedByCortex = replaces;
          notes.push(`the old connection ${show(replaces)} was already gone`);
        } else deleted = replaces;
      } catch (err) {
        if (!(err instanceof CortexSsoError)) throw err;
        throw new CortexSsoError(
          'CONNECTOR_BOTH_KEPT',
          `The new connection ${show(created)} is live, but deleting the old connection ${show(replaces)} failed: ${err.message}`,
          {
            detail: `Cortex holds both connections; nothing local changed. Check sign-in, then ${deleteHint(replaces)}.`,
            cause: err,
          },
        );
      }
    }
  }
  return { created, deleted, replacedByCortex, notes };
}

function deleteHint(old: OidcConnection | null): string {
  return old?.connectionId
    ? `remove the old one with \`cortex-sso connector delete --connection-id ${old.connectionId} --yes\``
    : 'remove the old one in Cortex (Settings > Security and access > OpenID connector)';
}

function withMessage(err: CortexSsoError, message: string): CortexSsoError {
  return new CortexSsoError(err.code, message, {
    ...(err.detail !== undefined ? { detail: err.detail } : {}),
    cause: err,
  });
}

/** What `connector verify` learns from Cortex about the connection it verifies. */
export interface CortexConnectionReport {
  apiUrl: string;
  listing: SsoListing;
  match: ProfileMatch;
  /** The values being verified. */
  expected: { clientId: string; issuer: string };
}

/** Reads the list and finds the connection being verified. */
export async function reportConnection(
  client: CortexClient,
  ref: ConnectionRef & { clientId: string; issuer: string },
): Promise<CortexConnectionReport> {
  const listing = await client.listConfigurations();
  return {
    apiUrl: client.baseUrl,
    listing,
    match: findProfileConnection(listing, ref),
    expected: { clientId: ref.clientId, issuer: ref.issuer },
  };
}

/** One line per OIDC connection, for messages: `"c-1" OKTA client 0oa… issuer https://…`. */
export function describeListing(listing: SsoListing): string {
  const lines = listing.oidc.map(
    (c) => `${c.connectionId ?? '(no id)'} ${c.connectionType} client ${c.clientId} issuer ${c.issuer}`,
  );
  if (listing.otherCount > 0) lines.push(`${listing.otherCount} other SSO configuration(s) (not OIDC)`);
  return lines.length > 0 ? lines.join('; ') : 'no SSO configurations';
}
