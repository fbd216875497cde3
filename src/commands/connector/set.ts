import { validateNetworkFlags } from '../../checks/checklist.js';
import { resolveProfileName } from '../../config/resolve.js';
import {
  CONNECTION_TYPE_OF,
  CORTEX_CALLBACK_URI,
  type ConnectorType,
  type OidcConnection,
  type SsoListing,
} from '../../cortex/types.js';
import { CortexSsoError } from '../../errors.js';
import { asValidator, type Checked, checkClientId, checkIssuer, checkSecret } from '../../okta/values.js';
import type { DiagnoseResult } from '../../result.js';
import { Secret } from '../../secret.js';
import { clientSecretAccount } from '../../secrets/keychain.js';
import {
  type CommonConnectorOptions,
  type ConnectorDeps,
  openApi,
  readStdin,
  runVerification,
  type Source,
} from './shared.js';

export interface SetOptions extends CommonConnectorOptions {
  type?: string;
  clientSecretStdin?: boolean;
  dryRun?: boolean;
  force?: boolean;
  /** Push, but keep no copy of the secret in the keychain (CI, or a machine without one). */
  noStore?: boolean;
  /** Skip the interactive "push?" confirmation. */
  yes?: boolean;
}

export interface FieldChange {
  field: 'type' | 'clientId' | 'issuer' | 'clientSecret';
  from: string | null;
  to: string;
}

export interface SetResult {
  ok: boolean;
  /** Set when nothing was pushed because of a failed pre-flight. */
  code?: 'PREFLIGHT_FAILED';
  /** Cortex's SSO configurations as read when the command started (OIDC ones; others counted). */
  remote: { oidc: OidcConnection[]; otherCount: number };
  /** The existing connection the new one replaces (deleted after the new one is confirmed). */
  replaces: OidcConnection | null;
  profile: string;
  apiUrl: string;
  dryRun: boolean;
  pushed: boolean;
  forced: boolean;
  values: {
    type: ConnectorType;
    clientId: string;
    issuer: string;
    clientSecretLastFour: string;
    redirectUri: string;
    sources: { type: Source | 'default'; clientId: Source; issuer: Source; clientSecret: Source };
  };
  notes: string[];
  changes: FieldChange[];
  preflight: DiagnoseResult;
  /** After the push: the new connection as Cortex lists it, and what happened to the old one. */
  pushedConnection?: OidcConnection;
  removed?: { connection: OidcConnection; by: 'cortex-sso' | 'cortex' } | null;
  stored?: { secret: 'keychain' | 'not-stored'; config: string };
}

const SUPPORTED_TYPES: Array<{ value: ConnectorType; name: string; description: string }> = [
  { value: 'okta', name: 'Okta', description: 'Okta OpenID Connect (org or custom authorization server)' },
];

interface Gathered {
  type: ConnectorType;
  typeSource: Source | 'default';
  clientId: string;
  clientIdSource: Source;
  issuer: string;
  issuerSource: Source;
  secret: Secret;
  secretSource: Source;
  notes: string[];
}

/** Collect every value from flags, env, stdin, prompts or the profile; list everything missing at once. */
async function gather(opts: SetOptions, profileName: string, deps: ConnectorDeps): Promise<Gathered> {
  const env = deps.io.env;
  const profile = deps.config.getProfile(profileName);
  const notes: string[] = [];
  const missing: string[] = [];
  const take = <T>(c: Checked<T>): T => {
    notes.push(...c.notes);
    return c.value;
  };

  // Type.
  let type: ConnectorType | undefined;
  let typeSource: Source | 'default' = 'flag';
  if (opts.type !== undefined) {
    const t = opts.type.trim().toLowerCase();
    if (!SUPPORTED_TYPES.some((s) => s.value === t)) {
      throw new CortexSsoError(
        'INPUT_INVALID',
        `--type "${opts.type}" is not supported; supported: ${SUPPORTED_TYPES.map((s) => s.value).join(', ')}.`,
      );
    }
    type = t as ConnectorType;
  } else if (deps.interactive) {
    type = await deps.prompter.select('Identity provider type', SUPPORTED_TYPES, profile?.type ?? 'okta');
    typeSource = 'prompt';
  } else if (profile?.type) {
    type = profile.type;
    typeSource = 'profile';
  } else {
    missing.push('--type okta');
  }

  // Client ID.
  let clientId: string | undefined;
  let clientIdSource: Source = 'flag';
  if (opts.clientId !== undefined) clientId = take(checkClientId(opts.clientId, '--client-id'));
  else if (env.CORTEX_SSO_CLIENT_ID) {
    clientId = take(checkClientId(env.CORTEX_SSO_CLIENT_ID, 'CORTEX_SSO_CLIENT_ID'));
    clientIdSource = 'env';
  } else if (deps.interactive) {
    const raw = await deps.prompter.input('Okta client ID (app > General > Client Credentials)', {
      ...(profile?.clientId ? { default: profile.clientId } : {}),
      validate: asValidator((v) => checkClientId(v, '')),
    });
    const checked = checkClientId(raw, '');
    if (checked.notes.some((n) => n.includes('does not look like') || n.includes('unusually long'))) {
      const keep = await deps.prompter.confirm(
        `"${checked.value}" ${checked.notes.at(-1)}. Use it anyway?`,
        false,
      );
      if (!keep) throw new CortexSsoError('INPUT_INVALID', 'Cancelled: the client ID was not confirmed.');
    }
    clientId = take(checked);
    clientIdSource = 'prompt';
  } else if (profile?.clientId) {
    clientId = profile.clientId;
    clientIdSource = 'profile';
  } else {
    missing.push('the client ID: --client-id ID or CORTEX_SSO_CLIENT_ID');
  }

  // Client secret: never from a plain flag (shell history, process list).
  let secret: Secret | undefined;
  let secretSource: Source = 'stdin';
  if (opts.clientSecretStdin) {
    if (deps.io.stdin.isTTY && !deps.interactive) {
      throw new CortexSsoError(
        'INPUT_INVALID',
        '--client-secret-stdin needs the secret piped in, e.g. `printf %s "$SECRET" | cortex-sso connector set ...`.',
      );
    }
    secret = take(checkSecret(await readStdin(deps.io.stdin), 'stdin', clientId));
  } else if (env.CORTEX_SSO_CLIENT_SECRET) {
    secret = take(
      checkSecret(new Secret(env.CORTEX_SSO_CLIENT_SECRET), 'CORTEX_SSO_CLIENT_SECRET', clientId),
    );
    secretSource = 'env';
  } else if (deps.interactive) {
    const existing = await deps.keychain.get(clientSecretAccount(profileName)).catch(() => null);
    const answer = await deps.prompter.password(
      existing
        ? `Okta client secret (Enter keeps ${existing.masked})`
        : 'Okta client secret (shown once in Okta; input is masked)',
      {
        validate: asValidator((v) => {
          if (v === '' && existing) return;
          checkSecret(new Secret(v), '', clientId);
        }),
      },
    );
    if (answer.reveal() === '' && existing) {
      secret = existing;
      secretSource = 'keychain';
    } else {
      secret = take(checkSecret(answer, '', clientId));
      secretSource = 'prompt';
    }
  } else {
    const existing = await deps.keychain.get(clientSecretAccount(profileName)).catch(() => null);
    if (existing) {
      secret = existing;
      secretSource = 'keychain';
    } else {
      missing.push('the client secret: --client-secret-stdin (pipe it in) or CORTEX_SSO_CLIENT_SECRET');
    }
  }

  // Issuer.
  let issuer: string | undefined;
  let issuerSource: Source = 'flag';
  const allowHttp = Boolean(opts.allowHttpLoopback);
  if (opts.issuer !== undefined) issuer = take(checkIssuer(opts.issuer, '--issuer', allowHttp));
  else if (env.CORTEX_SSO_ISSUER) {
    issuer = take(checkIssuer(env.CORTEX_SSO_ISSUER, 'CORTEX_SSO_ISSUER', allowHttp));
    issuerSource = 'env';
  } else if (deps.interactive) {
    const raw = await deps.prompter.input(
      'Okta issuer (e.g. https://acme.okta.com or https://acme.okta.com/oauth2/default)',
      {
        ...(profile?.issuer ? { default: profile.issuer } : {}),
        validate: asValidator((v) => checkIssuer(v, '', allowHttp)),
      },
    );
    issuer = take(checkIssuer(raw, '', allowHttp));
    issuerSource = 'prompt';
  } else if (profile?.issuer) {
    issuer = profile.issuer;
    issuerSource = 'profile';
  } else {
    missing.push('the issuer: --issuer URL or CORTEX_SSO_ISSUER');
  }

  if (missing.length > 0 || !type || !clientId || !secret || !issuer) {
    throw new CortexSsoError(
      'INPUT_MISSING',
      `Missing ${missing.length === 1 ? 'input' : 'inputs'} (cannot prompt: ${whyNoPrompt(deps)}):`,
      {
        detail: missing.map((m) => `  - ${m}`).join('\n'),
      },
    );
  }
  return { type, typeSource, clientId, clientIdSource, issuer, issuerSource, secret, secretSource, notes };
}

function whyNoPrompt(deps: ConnectorDeps): string {
  const env = deps.io.env;
  if (env.CI && env.CI !== '0' && env.CI !== 'false') return 'CI is set';
  if (!deps.io.stdin.isTTY || !deps.io.stdout.isTTY) return 'not a terminal';
  return '--no-input';
}

function diff(remote: OidcConnection | null, g: Gathered): FieldChange[] {
  const changes: FieldChange[] = [];
  const connectionType = CONNECTION_TYPE_OF[g.type];
  if (remote?.connectionType.toUpperCase() !== connectionType)
    changes.push({ field: 'type', from: remote?.connectionType ?? null, to: connectionType });
  if (remote?.clientId !== g.clientId)
    changes.push({ field: 'clientId', from: remote?.clientId ?? null, to: g.clientId });
  if (remote?.issuer !== g.issuer)
    changes.push({ field: 'issuer', from: remote?.issuer ?? null, to: g.issuer });
  // Cortex never returns the secret: whatever it holds is replaced by the one pushed now.
  changes.push({
    field: 'clientSecret',
    from: remote ? '(kept by Cortex, not readable)' : null,
    to: g.secret.lastFour ? `****${g.secret.lastFour}` : '****',
  });
  return changes;
}

export interface SetDeps extends ConnectorDeps {
  /** Shows the changes and the pre-flight to the person about to confirm the push. */
  review?: (result: SetResult) => void;
}

export async function run(opts: SetOptions, deps: SetDeps): Promise<SetResult> {
  validateNetworkFlags(opts.timeoutSeconds, opts.warnDays);
  const profileName = resolveProfileName(opts.profile, deps.io.env);
  const account = clientSecretAccount(profileName);

  // A person at a terminal learns that the keychain is missing before typing anything.
  if (deps.interactive && !opts.noStore && !opts.dryRun) await assertKeychain(deps, account);

  // 1. Inputs: flags, env, stdin, prompts, profile; every missing one listed at once.
  const g = await gather(opts, profileName, deps);
  const profile = deps.config.getProfile(profileName);
  const redirectUri = opts.redirectUri ?? profile?.redirectUri ?? CORTEX_CALLBACK_URI;
  const connectionType = CONNECTION_TYPE_OF[g.type];
  const next = { clientId: g.clientId, issuer: g.issuer, connectionType };

  // 2. What Cortex holds now; the connection this one replaces.
  const api = await openApi(profileName, profile, opts.apiUrl, deps, opts.tenant);
  const { connectionToReplace, replaceConnection } = await import('../../cortex/connections.js');
  const initial = await api.client.listConfigurations();
  const replaces = connectionToReplace(initial, profile ?? {}, next);

  // 3. Pre-flight: the same checks as `connector verify`, on the NEW values (with an Okta API token,
  // the Okta-side audit too: an inactive app or nobody assigned locks users out as surely).
  const { oktaTokenIfAvailable } = await import('../../checks/okta-audit.js');
  const oktaApiToken = await oktaTokenIfAvailable(deps.io.env, deps.keychain, profileName);
  const preflight = await runVerification(
    {
      issuer: g.issuer,
      clientId: g.clientId,
      clientSecret: g.secret,
      redirectUri,
      ...(opts.caFile ? { caFile: opts.caFile } : {}),
      ...(opts.proxy ? { proxy: opts.proxy } : {}),
      timeoutMs: Math.round(opts.timeoutSeconds * 1000),
      warnDays: opts.warnDays,
      strict: false,
      allowHttpLoopback: Boolean(opts.allowHttpLoopback),
      ...(oktaApiToken ? { oktaApiToken } : {}),
    },
    deps,
  );
  deps.onChecksDone?.();

  const result: SetResult = {
    ok: preflight.ok,
    profile: profileName,
    apiUrl: api.apiUrl,
    dryRun: Boolean(opts.dryRun),
    pushed: false,
    forced: false,
    values: {
      type: g.type,
      clientId: g.clientId,
      issuer: g.issuer,
      clientSecretLastFour: g.secret.lastFour,
      redirectUri,
      sources: {
        type: g.typeSource,
        clientId: g.clientIdSource,
        issuer: g.issuerSource,
        clientSecret: g.secretSource,
      },
    },
    notes: g.notes,
    remote: { oidc: initial.oidc, otherCount: initial.otherCount },
    replaces,
    changes: diff(replaces, g),
    preflight,
  };
  if (!replaces && initial.oidc.length > 0) {
    result.notes.push(
      `Cortex holds ${initial.oidc.length} OIDC connection(s) and none is this profile's: the new one is added beside them and none is deleted`,
    );
  }

  if (opts.dryRun) return result;

  if (!preflight.ok) {
    if (!opts.force) {
      result.ok = false;
      result.code = 'PREFLIGHT_FAILED';
      return result;
    }
    result.forced = true;
  }

  // 4. Review: the person sees the change and every finding before the question.
  if (deps.interactive && !opts.yes) {
    deps.review?.(result);
    const summary = result.changes.map((c) => c.field).join(', ');
    const sure = await deps.prompter.confirm(
      `Push to ${api.apiUrl} (${summary})? After saving, users sign in to Cortex only through this Okta connector.`,
      !result.forced,
    );
    if (!sure) throw new CortexSsoError('INPUT_MISSING', 'Cancelled: nothing was pushed or changed.');
  }

  // 5. Where the secret will be kept, decided BEFORE writing: a keychain that fails now stops us
  // with nothing changed, unless the secret came from stdin or env (CI), which needs no local copy.
  const storeSecret = await decideStorage(opts, g, deps, account, result.notes);

  // 6. Cortex has no ETag: compare the list with the one read at the start, just before writing.
  const current = await api.client.listConfigurations();
  const { listingFingerprint } = await import('../../cortex/types.js');
  let before: SsoListing = initial;
  let replacing = replaces;
  if (listingFingerprint(current) !== listingFingerprint(initial)) {
    if (!opts.force) {
      throw new CortexSsoError(
        'CONNECTOR_CHANGED',
        "Cortex's SSO configurations changed while this command ran; nothing was pushed or changed.",
        {
          detail: `When the command started: ${describe(initial)}\nJust now: ${describe(current)}`,
        },
      );
    }
    result.notes.push("Cortex's SSO configurations changed while this command ran; pushed anyway (--force)");
    before = current;
    replacing = connectionToReplace(current, profile ?? {}, next);
    result.replaces = replacing;
  }

  // 7. Write: create, confirm, then delete the one it replaces.
  const outcome = await replaceConnection(
    api.client,
    before,
    { connectionType, clientId: g.clientId, clientSecret: g.secret, issuer: g.issuer },
    replacing,
  );
  result.pushed = true;
  result.ok = true;
  result.pushedConnection = outcome.created;
  result.removed = outcome.deleted
    ? { connection: outcome.deleted, by: 'cortex-sso' }
    : outcome.replacedByCortex
      ? { connection: outcome.replacedByCortex, by: 'cortex' }
      : null;
  result.notes.push(...outcome.notes);

  // 8. Store locally only now that Cortex holds the new connection.
  try {
    if (storeSecret) await deps.keychain.set(account, g.secret);
  } catch (err) {
    const e = err instanceof CortexSsoError ? err : new CortexSsoError('INTERNAL', String(err));
    throw new CortexSsoError(
      e.code,
      `The connector WAS pushed to Cortex (connection ${outcome.created.connectionId ?? '(no id)'}), but the secret could not be saved locally: ${e.message}`,
      {
        detail:
          'Sign-in works; only local `connector verify` needs the secret. Fix the keychain, then run `connector set` again, or give CORTEX_SSO_CLIENT_SECRET to later commands.',
      },
    );
  }
  const { connectionId: _old, ...kept } = profile ?? {};
  deps.config.setProfile(profileName, {
    ...kept,
    // The profile records where it pushed, whatever the URL's source (flag, env, ~/.cortex/config).
    apiUrl: api.apiUrl,
    type: g.type,
    clientId: g.clientId,
    issuer: g.issuer,
    ...(outcome.created.connectionId ? { connectionId: outcome.created.connectionId } : {}),
    ...(opts.redirectUri ? { redirectUri } : {}),
    updatedAt: (deps.now?.() ?? new Date()).toISOString(),
  });
  result.stored = { secret: storeSecret ? 'keychain' : 'not-stored', config: deps.config.path };
  return result;
}

function describe(l: SsoListing): string {
  const rows = l.oidc.map(
    (c) => `${c.connectionId ?? '(no id)'} ${c.connectionType} client ${c.clientId} issuer ${c.issuer}`,
  );
  if (l.otherCount > 0) rows.push(`${l.otherCount} other`);
  return rows.length > 0 ? rows.join('; ') : 'none';
}

/** Throws when the keychain cannot be used (with the ways around it). */
async function assertKeychain(deps: ConnectorDeps, account: string): Promise<void> {
  try {
    await deps.keychain.get(account);
  } catch (err) {
    if (!(err instanceof CortexSsoError)) throw err;
    throw new CortexSsoError(err.code, `${err.message}`, {
      detail:
        'The client secret is kept only in the OS keychain (never in a file). Unlock or start the keychain, or pass --no-store to push without keeping a local copy (later commands then read CORTEX_SSO_CLIENT_SECRET).',
    });
  }
}

/** true: store the secret in the keychain after the push. Notes say why not, when not. */
async function decideStorage(
  opts: SetOptions,
  g: Gathered,
  deps: ConnectorDeps,
  account: string,
  notes: string[],
): Promise<boolean> {
  const later = 'later commands read the secret from CORTEX_SSO_CLIENT_SECRET';
  if (opts.noStore) {
    notes.push(`the client secret was not stored locally (--no-store); ${later}`);
    return false;
  }
  if (g.secretSource === 'keychain') return false;
  try {
    await deps.keychain.get(account);
    return true;
  } catch (err) {
    const unavailable =
      err instanceof CortexSsoError &&
      (err.code === 'KEYCHAIN_UNAVAILABLE' ||
        err.code === 'KEYCHAIN_TIMEOUT' ||
        err.code === 'KEYCHAIN_LOCKED');
    if (unavailable && (g.secretSource === 'env' || g.secretSource === 'stdin')) {
      notes.push(
        `no keychain here (${(err as CortexSsoError).code}): the client secret was not stored locally; ${later}`,
      );
      return false;
    }
    throw err;
  }
}
