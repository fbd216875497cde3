import { validateNetworkFlags } from '../../checks/checklist.js';
import { resolveProfileName } from '../../config/resolve.js';
import type { Profile } from '../../config/store.js';
import {
  CONNECTION_TYPE_OF,
  CORTEX_CALLBACK_URI,
  type ConnectorType,
  type OidcConnection,
  type SsoListing,
} from '../../cortex/types.js';
import { CortexSsoError } from '../../errors.js';
import { isCi } from '../../io.js';
import { asValidator, type Checked, checkClientId, checkIssuer, checkSecret } from '../../okta/values.js';
import type { FieldChange, SetResult } from '../../result.js';
import { Secret } from '../../secret.js';
import { clientSecretAccount } from '../../secrets/keychain.js';
import { type ApiSession, openApi } from './api-session.js';
import { type CommonConnectorOptions, type ConnectorDeps, readStdin, type Source } from './shared.js';
import { runVerification } from './verification.js';

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

/** A value and where it came from (shown next to it before the push). */
interface Resolved<T> {
  value: T;
  source: Source;
}

interface InputContext {
  env: Readonly<Record<string, string | undefined>>;
  interactive: boolean;
  /** What was changed or looks odd, for the summary. */
  notes: string[];
  /** The profile's stored secret, when the keychain was already read for it (null: none stored). */
  stored?: Secret | null;
}

/**
 * One value of the connector, from the first source that has it: the flag, the environment
 * variable, a prompt (only at a terminal), the profile. A typed value is checked (its notes kept);
 * the profile's was checked when it was saved. Undefined when no source has it.
 */
async function resolveInput<T>(
  spec: {
    flag: { name: string; value: string | undefined };
    env?: string;
    prompt?: () => Promise<Checked<T>>;
    profile: T | undefined;
    check: (raw: string, origin: string) => Checked<T>;
  },
  ctx: InputContext,
): Promise<Resolved<T> | undefined> {
  const take = (c: Checked<T>, source: Source): Resolved<T> => {
    ctx.notes.push(...c.notes);
    return { value: c.value, source };
  };
  if (spec.flag.value !== undefined) return take(spec.check(spec.flag.value, spec.flag.name), 'flag');
  const fromEnv = spec.env ? ctx.env[spec.env] : undefined;
  if (spec.env && fromEnv) return take(spec.check(fromEnv, spec.env), 'env');
  if (ctx.interactive && spec.prompt) return take(await spec.prompt(), 'prompt');
  if (spec.profile !== undefined) return { value: spec.profile, source: 'profile' };
  return undefined;
}

function checkType(raw: string): Checked<ConnectorType> {
  const t = raw.trim().toLowerCase();
  if (!SUPPORTED_TYPES.some((s) => s.value === t)) {
    throw new CortexSsoError(
      'INPUT_INVALID',
      `--type "${raw}" is not supported; supported: ${SUPPORTED_TYPES.map((s) => s.value).join(', ')}.`,
    );
  }
  return { value: t as ConnectorType, notes: [] };
}

/** A client ID that does not look like Okta's is asked about; "no" asks for the value again. */
async function promptClientId(deps: ConnectorDeps, saved: string | undefined): Promise<Checked<string>> {
  for (;;) {
    const raw = await deps.prompter.input('Okta client ID (app > General > Client Credentials)', {
      ...(saved ? { default: saved } : {}),
      validate: asValidator((v) => checkClientId(v, '')),
    });
    const checked = checkClientId(raw, '');
    const odd = checked.notes.find((n) => n.includes('does not look like') || n.includes('unusually long'));
    // The saved one was accepted when it was saved: not questioned again.
    if (!odd || checked.value === saved) return checked;
    if (await deps.prompter.confirm(`"${checked.value}" ${odd}. Use it anyway?`, false)) return checked;
  }
}

/** The client secret: never from a plain flag (shell history, process list). */
async function resolveSecret(
  opts: SetOptions,
  profileName: string,
  clientId: string | undefined,
  deps: ConnectorDeps,
  ctx: InputContext,
): Promise<Resolved<Secret> | undefined> {
  const take = (c: Checked<Secret>, source: Source): Resolved<Secret> => {
    ctx.notes.push(...c.notes);
    return { value: c.value, source };
  };
  if (opts.clientSecretStdin) {
    if (deps.io.stdin.isTTY && !deps.interactive) {
      throw new CortexSsoError(
        'INPUT_INVALID',
        '--client-secret-stdin needs the secret piped in, e.g. `printf %s "$SECRET" | cortex-sso connector set ...`.',
      );
    }
    return take(checkSecret(await readStdin(deps.io.stdin), 'stdin', clientId), 'stdin');
  }
  if (ctx.env.CORTEX_SSO_CLIENT_SECRET) {
    return take(
      checkSecret(new Secret(ctx.env.CORTEX_SSO_CLIENT_SECRET), 'CORTEX_SSO_CLIENT_SECRET', clientId),
      'env',
    );
  }
  // Read once per run where it can be: each read may be a keychain prompt (macOS).
  const existing =
    ctx.stored !== undefined
      ? ctx.stored
      : await deps.keychain.get(clientSecretAccount(profileName)).catch(() => null);
  if (!deps.interactive) return existing ? { value: existing, source: 'keychain' } : undefined;
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
  if (answer.reveal() === '' && existing) return { value: existing, source: 'keychain' };
  return take(checkSecret(answer, '', clientId), 'prompt');
}

/**
 * Phase 1, inputs: each value from flag, env, prompt or profile (the secret from stdin, env, a
 * prompt or the keychain), with its source; everything missing is listed at once.
 */
async function resolveInputs(
  opts: SetOptions,
  profileName: string,
  deps: ConnectorDeps,
  stored?: Secret | null,
): Promise<Gathered> {
  const profile = deps.config.getProfile(profileName);
  const ctx: InputContext = {
    env: deps.io.env,
    interactive: deps.interactive,
    notes: [],
    ...(stored !== undefined ? { stored } : {}),
  };
  const allowHttp = Boolean(opts.allowHttpLoopback);

  const type = await resolveInput(
    {
      flag: { name: '--type', value: opts.type },
      prompt: async () => ({
        value: await deps.prompter.select('Identity provider type', SUPPORTED_TYPES, profile?.type ?? 'okta'),
        notes: [],
      }),
      profile: profile?.type,
      check: checkType,
    },
    ctx,
  );
  const clientId = await resolveInput(
    {
      flag: { name: '--client-id', value: opts.clientId },
      env: 'CORTEX_SSO_CLIENT_ID',
      prompt: () => promptClientId(deps, profile?.clientId),
      profile: profile?.clientId,
      check: checkClientId,
    },
    ctx,
  );
  const secret = await resolveSecret(opts, profileName, clientId?.value, deps, ctx);
  const issuer = await resolveInput(
    {
      flag: { name: '--issuer', value: opts.issuer },
      env: 'CORTEX_SSO_ISSUER',
      prompt: async () => {
        const raw = await deps.prompter.input(
          'Okta issuer (e.g. https://acme.okta.com or https://acme.okta.com/oauth2/default)',
          {
            ...(profile?.issuer ? { default: profile.issuer } : {}),
            validate: asValidator((v) => checkIssuer(v, '', allowHttp)),
          },
        );
        return checkIssuer(raw, '', allowHttp);
      },
      profile: profile?.issuer,
      check: (raw, origin) => checkIssuer(raw, origin, allowHttp),
    },
    ctx,
  );

  const missing = [
    ...(type ? [] : ['--type okta']),
    ...(clientId ? [] : ['the client ID: --client-id ID or CORTEX_SSO_CLIENT_ID']),
    ...(secret ? [] : ['the client secret: --client-secret-stdin (pipe it in) or CORTEX_SSO_CLIENT_SECRET']),
    ...(issuer ? [] : ['the issuer: --issuer URL or CORTEX_SSO_ISSUER']),
  ];
  if (!type || !clientId || !secret || !issuer) {
    throw new CortexSsoError(
      'INPUT_MISSING',
      `Missing ${missing.length === 1 ? 'input' : 'inputs'} (cannot prompt: ${whyNoPrompt(deps)}):`,
      { detail: missing.map((m) => `  - ${m}`).join('\n') },
    );
  }
  return {
    type: type.value,
    typeSource: type.source,
    clientId: clientId.value,
    clientIdSource: clientId.source,
    issuer: issuer.value,
    issuerSource: issuer.source,
    secret: secret.value,
    secretSource: secret.source,
    notes: ctx.notes,
  };
}

/** Why canPrompt (io.ts) said no, in its own terms. */
function whyNoPrompt(deps: ConnectorDeps): string {
  if (isCi(deps.io.env)) return 'CI is set';
  if (!deps.io.stdin.isTTY || !deps.io.stderr.isTTY) return 'not a terminal';
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

/** connector set, in its phases: resolve inputs, pre-flight, review, write, store. */
export async function run(opts: SetOptions, deps: SetDeps): Promise<SetResult> {
  validateNetworkFlags(opts.timeoutSeconds, opts.warnDays);
  const profileName = resolveProfileName(opts.profile, deps.io.env);
  const account = clientSecretAccount(profileName);

  // A person at a terminal learns that the keychain is missing before typing anything.
  const stored =
    deps.interactive && !opts.noStore && !opts.dryRun ? await assertKeychain(deps, account) : undefined;

  const g = await resolveInputs(opts, profileName, deps, stored);
  const plan = await preflight(opts, profileName, g, deps);
  const { result } = plan;
  if (opts.dryRun) return result;
  if (!result.preflight.ok) {
    if (!opts.force) {
      result.ok = false;
      result.code = 'PREFLIGHT_FAILED';
      return result;
    }
    result.forced = true;
  }
  await review(opts, result, deps);

  // Where the secret will be kept, decided BEFORE writing: a keychain that fails now stops us
  // with nothing changed, unless the secret came from stdin or env (CI), which needs no local copy.
  const storeSecret = await decideStorage(opts, g, deps, account, result.notes);
  const created = await write(opts, plan, g);
  await store(opts, plan, g, deps, storeSecret ? account : null, created);
  return result;
}

interface Plan {
  result: SetResult;
  api: ApiSession;
  profileName: string;
  profile: Profile | undefined;
  initial: SsoListing;
  next: { clientId: string; issuer: string; connectionType: (typeof CONNECTION_TYPE_OF)[ConnectorType] };
}

/**
 * Phase 2, pre-flight: what Cortex holds now (and the connection this one replaces), then the same
 * checks as `connector verify` on the NEW values (with an Okta API token, the Okta-side audit too:
 * an inactive app or nobody assigned locks users out as surely).
 */
async function preflight(opts: SetOptions, profileName: string, g: Gathered, deps: SetDeps): Promise<Plan> {
  const profile = deps.config.getProfile(profileName);
  const redirectUri = opts.redirectUri ?? profile?.redirectUri ?? CORTEX_CALLBACK_URI;
  const next = { clientId: g.clientId, issuer: g.issuer, connectionType: CONNECTION_TYPE_OF[g.type] };

  const api = await openApi(profileName, profile, opts.apiUrl, deps, opts.tenant);
  const { connectionToReplace } = await import('../../cortex/connections.js');
  const initial = await api.client.listConfigurations();
  const replaces = connectionToReplace(initial, profile ?? {}, next);

  const { oktaTokenIfAvailable } = await import('../../checks/okta-audit.js');
  const oktaApiToken = await oktaTokenIfAvailable(deps.io.env, deps.keychain, profileName);
  const checks = await runVerification(
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
    ok: checks.ok,
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
    preflight: checks,
  };
  if (!replaces && initial.oidc.length > 0) {
    result.notes.push(
      `Cortex holds ${initial.oidc.length} OIDC connection(s) and none is this profile's: the new one is added beside them and none is deleted`,
    );
  }
  return { result, api, profileName, profile, initial, next };
}

/**
 * Phase 3, review: at a terminal the person sees the values and their sources, the changes, the
 * notes and every pre-flight finding, and only then answers "Push?".
 */
async function review(opts: SetOptions, result: SetResult, deps: SetDeps): Promise<void> {
  if (!deps.interactive || opts.yes) return;
  deps.review?.(result);
  const summary = result.changes.map((c) => c.field).join(', ');
  const sure = await deps.prompter.confirm(
    `Push to ${result.apiUrl} (${summary})? After saving, users sign in to Cortex only through this Okta connector.`,
    !result.forced,
  );
  if (!sure) throw new CortexSsoError('INPUT_MISSING', 'Cancelled: nothing was pushed or changed.');
}

/**
 * Phase 4, write: Cortex has no ETag, so compare the list with the one read at the start just
 * before writing; then create, confirm, and delete the connection it replaces.
 */
async function write(opts: SetOptions, plan: Plan, g: Gathered): Promise<OidcConnection> {
  const { result, api, initial, profile, next } = plan;
  const current = await api.client.listConfigurations();
  const [{ listingFingerprint }, { connectionToReplace, describeListing, replaceConnection }] =
    await Promise.all([import('../../cortex/types.js'), import('../../cortex/connections.js')]);
  let before: SsoListing = initial;
  let replacing = result.replaces;
  if (listingFingerprint(current) !== listingFingerprint(initial)) {
    if (!opts.force) {
      throw new CortexSsoError(
        'CONNECTOR_CHANGED',
        "Cortex's SSO configurations changed while this command ran; nothing was pushed or changed.",
        {
          detail: `When the command started: ${describeListing(initial)}\nJust now: ${describeListing(current)}`,
        },
      );
    }
    result.notes.push("Cortex's SSO configurations changed while this command ran; pushed anyway (--force)");
    before = current;
    replacing = connectionToReplace(current, profile ?? {}, next);
    result.replaces = replacing;
  }
  const outcome = await replaceConnection(
    api.client,
    before,
    { connectionType: next.connectionType, clientId: g.clientId, clientSecret: g.secret, issuer: g.issuer },
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
  return outcome.created;
}

/** Phase 5, store: locally only now that Cortex holds the new connection (secret, then profile). */
async function store(
  opts: SetOptions,
  plan: Plan,
  g: Gathered,
  deps: SetDeps,
  account: string | null,
  created: OidcConnection,
): Promise<void> {
  const { result, api, profileName, profile } = plan;
  try {
    if (account) await deps.keychain.set(account, g.secret);
  } catch (err) {
    const e = err instanceof CortexSsoError ? err : new CortexSsoError('INTERNAL', String(err));
    throw new CortexSsoError(
      e.code,
      `The connector WAS pushed to Cortex (connection ${created.connectionId ?? '(no id)'}), but the secret could not be saved locally: ${e.message}`,
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
    ...(created.connectionId ? { connectionId: created.connectionId } : {}),
    ...(opts.redirectUri ? { redirectUri: result.values.redirectUri } : {}),
    updatedAt: (deps.now?.() ?? new Date()).toISOString(),
  });
  result.stored = { secret: account ? 'keychain' : 'not-stored', config: deps.config.path };
}

/** The stored secret (null: none); throws when the keychain cannot be used (with the ways around it). */
async function assertKeychain(deps: ConnectorDeps, account: string): Promise<Secret | null> {
  try {
    return await deps.keychain.get(account);
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

/** The result type lives with the others in src/result.ts (the renderers read it from there). */
export type { FieldChange, SetResult } from '../../result.js';
