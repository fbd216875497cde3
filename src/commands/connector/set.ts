import { resolveProfileName } from '../../config/resolve.js';
import type { Connector, ConnectorType } from '../../cortex/types.js';
import { CortexSsoError } from '../../errors.js';
import type { DiagnoseResult } from '../../result.js';
import { Secret } from '../../secret.js';
import { clientSecretAccount } from '../../secrets/keychain.js';
import { validateNetworkFlags } from '../diagnose.js';
import {
  asValidator,
  type Checked,
  type CommonConnectorOptions,
  type ConnectorDeps,
  checkClientId,
  checkIssuer,
  checkSecret,
  DEFAULT_REDIRECT_URI,
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
  remoteBefore: Connector | null;
  remoteAfter?: Connector;
  preflight: DiagnoseResult;
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

function diff(remote: Connector | null, g: Gathered): FieldChange[] {
  const changes: FieldChange[] = [];
  const lastFour = g.secret.lastFour;
  if (remote?.type !== g.type) changes.push({ field: 'type', from: remote?.type ?? null, to: g.type });
  if (remote?.clientId !== g.clientId)
    changes.push({ field: 'clientId', from: remote?.clientId ?? null, to: g.clientId });
  if (remote?.issuer !== g.issuer)
    changes.push({ field: 'issuer', from: remote?.issuer ?? null, to: g.issuer });
  // Only the last four are known remotely; same last four is reported as unchanged (and said so).
  if (!remote?.clientSecretLastFour || remote.clientSecretLastFour !== lastFour) {
    changes.push({
      field: 'clientSecret',
      from: remote
        ? remote.clientSecretLastFour
          ? `****${remote.clientSecretLastFour}`
          : '(unknown)'
        : null,
      to: `****${lastFour}`,
    });
  }
  return changes;
}

export interface SetDeps extends ConnectorDeps {
  /** Shows the changes and the pre-flight to the person about to confirm the push. */
  review?: (result: SetResult) => void;
}

export async function run(opts: SetOptions, deps: SetDeps): Promise<SetResult> {
  validateNetworkFlags(opts.timeoutSeconds, opts.warnDays);
  const profileName = resolveProfileName(opts.profile, deps.io.env);
  const g = await gather(opts, profileName, deps);
  const profile = deps.config.getProfile(profileName);
  const api = await openApi(profileName, profile, opts.apiUrl, deps);
  const redirectUri = opts.redirectUri ?? profile?.redirectUri ?? DEFAULT_REDIRECT_URI;

  const before = await api.client.getConnector();
  const changes = diff(before?.connector ?? null, g);

  // Pre-flight: the same checks as `connector verify`, on the NEW values, plus Cortex's side.
  const write = { type: g.type, clientId: g.clientId, clientSecret: g.secret, issuer: g.issuer };
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
      cortexValidate: async () => api.client.validateConnector(write),
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
    changes,
    remoteBefore: before?.connector ?? null,
    preflight,
  };

  if (opts.dryRun) return result;

  if (!preflight.ok) {
    if (!opts.force) {
      result.ok = false;
      result.code = 'PREFLIGHT_FAILED';
      return result;
    }
    result.forced = true;
  }

  if (deps.interactive && !opts.yes) {
    // Show what is about to change, and what the checks found, before asking.
    deps.review?.(result);
    const summary = changes.length === 0 ? 'no field changes' : changes.map((c) => c.field).join(', ');
    const sure = await deps.prompter.confirm(
      `Push to ${api.apiUrl} (${summary})? After saving, users sign in to Cortex only through this Okta connector.`,
      !result.forced,
    );
    if (!sure) throw new CortexSsoError('INPUT_MISSING', 'Cancelled: nothing was pushed or changed.');
  }

  // Probe the keychain BEFORE pushing, so a locked or missing keychain stops us with nothing changed.
  const account = clientSecretAccount(profileName);
  let storeSecret = g.secretSource !== 'keychain';
  if (storeSecret) {
    try {
      await deps.keychain.get(account);
    } catch (err) {
      const unavailable =
        err instanceof CortexSsoError &&
        (err.code === 'KEYCHAIN_UNAVAILABLE' || err.code === 'KEYCHAIN_TIMEOUT');
      // A secret given by the environment (CI) does not need a local copy; any other would be lost.
      if (g.secretSource === 'env' && unavailable) {
        storeSecret = false;
        result.notes.push(
          'the client secret was not stored locally: no keychain here, and it came from CORTEX_SSO_CLIENT_SECRET',
        );
      } else {
        throw err;
      }
    }
  }

  const ifMatch = opts.force ? undefined : before?.etag;
  const after = await api.client.putConnector(write, ifMatch ? { ifMatch } : {});
  result.pushed = true;
  result.remoteAfter = after.connector;
  result.ok = true;

  try {
    if (storeSecret) await deps.keychain.set(account, g.secret);
  } catch (err) {
    const e = err instanceof CortexSsoError ? err : new CortexSsoError('INTERNAL', String(err));
    throw new CortexSsoError(
      e.code,
      `The connector WAS pushed to Cortex, but the secret could not be saved locally: ${e.message}`,
      {
        detail:
          'Sign-in works; only local `connector verify` needs the secret. Fix the keychain, then run `connector set` again or use CORTEX_SSO_CLIENT_SECRET.',
      },
    );
  }
  deps.config.setProfile(profileName, {
    ...(profile ?? {}),
    ...(opts.apiUrl ? { apiUrl: api.apiUrl } : {}),
    type: g.type,
    clientId: g.clientId,
    issuer: g.issuer,
    ...(opts.redirectUri ? { redirectUri } : {}),
    updatedAt: (deps.now?.() ?? new Date()).toISOString(),
  });
  result.stored = { secret: storeSecret ? 'keychain' : 'not-stored', config: deps.config.path };
  return result;
}
