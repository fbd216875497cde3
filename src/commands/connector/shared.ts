import { readCortexCliTenant } from '../../config/cortex-cli-config.js';
import { type Env, resolveApiToken, resolveApiUrl, type TokenSource } from '../../config/resolve.js';
import type { ConfigStore, Profile } from '../../config/store.js';
import type { CortexClient } from '../../cortex/client.js';
import { CortexSsoError } from '../../errors.js';
import type { Io } from '../../io.js';
import { parseIssuer } from '../../okta/issuer.js';
import type { Prompter } from '../../prompter.js';
import type { CheckResult, DiagnoseResult } from '../../result.js';
import { Secret } from '../../secret.js';
import type { Keychain } from '../../secrets/keychain.js';

/** Cortex's Auth0 callback: the redirect URI an Okta app must register for Cortex sign-in. */
export { CORTEX_CALLBACK_URI as DEFAULT_REDIRECT_URI } from '../../cortex/types.js';

/** Everything the connector commands need from outside; cli.ts builds the real one. */
export interface ConnectorDeps {
  io: Io;
  keychain: Keychain;
  config: ConfigStore;
  prompter: Prompter;
  /** Prompts may be shown: stdin/stdout are terminals, not CI, not --no-input. */
  interactive: boolean;
  createClient: (baseUrl: string, token: Secret) => CortexClient;
  onCheck?: (issuerInput: string, result: CheckResult) => void;
  /** Called when the checks are over (ends a spinner before any question). */
  onChecksDone?: () => void;
  now?: () => Date;
}

export type Source = 'flag' | 'env' | 'stdin' | 'prompt' | 'profile' | 'keychain';

export interface Checked<T> {
  value: T;
  /** What was changed or what looks odd; shown to the user, never blocking. */
  notes: string[];
}

/** ' (--client-id)' for a named source; nothing for a prompt, where the person knows what they typed. */
const from = (origin: string) => (origin ? ` (${origin})` : '');

const OKTA_CLIENT_ID = /^0oa[A-Za-z0-9]{17}$/;

/** An Okta client ID: trimmed, no inner white space, URL-safe characters; odd shapes get a note. */
export function checkClientId(raw: string, origin: string): Checked<string> {
  const notes: string[] = [];
  const value = raw.trim();
  if (value !== raw) notes.push(`removed white space around the client ID${from(origin)}`);
  if (value === '') throw new CortexSsoError('INPUT_INVALID', `The client ID${from(origin)} is empty.`);
  if (/\s/.test(value))
    throw new CortexSsoError('INPUT_INVALID', `The client ID${from(origin)} contains white space.`);
  if (/^https?:\/\//i.test(value)) {
    throw new CortexSsoError(
      'INPUT_INVALID',
      `The client ID${from(origin)} is a URL; it looks like the issuer was pasted into the client ID.`,
    );
  }
  if (!/^[A-Za-z0-9._~-]+$/.test(value)) {
    throw new CortexSsoError(
      'INPUT_INVALID',
      `The client ID${from(origin)} has characters a client ID never has; copy it again from the Okta app's General tab.`,
    );
  }
  if (!OKTA_CLIENT_ID.test(value)) {
    notes.push(
      value.length >= 32
        ? 'the client ID is unusually long for Okta (0oa + 17 characters): is it the client secret?'
        : 'the client ID does not look like an Okta app client ID (0oa followed by 17 characters)',
    );
  }
  return { value, notes };
}

/** A client secret: trimmed (pasting adds newlines), never empty, never with inner white space. */
export function checkSecret(raw: Secret, origin: string, clientId?: string): Checked<Secret> {
  const notes: string[] = [];
  const text = raw.reveal();
  const trimmed = text.trim();
  if (trimmed !== text) notes.push(`removed white space around the client secret${from(origin)}`);
  if (trimmed === '') throw new CortexSsoError('INPUT_INVALID', `The client secret${from(origin)} is empty.`);
  if (/\s/.test(trimmed)) {
    throw new CortexSsoError(
      'INPUT_INVALID',
      `The client secret${from(origin)} contains white space; copy it again from the Okta app.`,
    );
  }
  if (clientId !== undefined && trimmed === clientId) {
    throw new CortexSsoError(
      'INPUT_INVALID',
      `The client secret${from(origin)} equals the client ID; copy the secret from Client Credentials in the Okta app.`,
    );
  }
  if (trimmed.length < 20)
    notes.push('the client secret is short for Okta (usually 40 characters or more): was all of it copied?');
  return { value: new Secret(trimmed), notes };
}

/** An issuer, normalized by the diagnose parser; a refusal names the input and the likely right value. */
export function checkIssuer(raw: string, origin: string, allowHttpLoopback = false): Checked<string> {
  const r = parseIssuer(raw, { allowHttpLoopback });
  if (!r.ok) {
    throw new CortexSsoError(
      'INPUT_INVALID',
      `The issuer${from(origin)} is not usable: ${r.message}${r.suggestion ? ` Did you mean ${r.suggestion} ?` : ''}`,
    );
  }
  const notes = r.value.normalizations.map((n) => `issuer: ${n}; using ${r.value.issuer}`);
  return { value: r.value.issuer, notes };
}

/** Adapts a throwing check to @inquirer's validate (true or a message). */
export function asValidator(fn: (v: string) => unknown): (v: string) => string | true {
  return (v) => {
    try {
      fn(v);
      return true;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  };
}

/** Read all of stdin (for --client-secret-stdin), without its final newline. */
export async function readStdin(stream: NodeJS.ReadableStream, maxBytes = 64 * 1024): Promise<Secret> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > maxBytes)
      throw new CortexSsoError(
        'INPUT_INVALID',
        `stdin is larger than ${maxBytes} bytes; expected one client secret.`,
      );
    chunks.push(b);
  }
  return new Secret(
    Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, ''),
  );
}

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

export interface VerifyInput {
  issuer: string;
  clientId: string;
  clientSecret: Secret;
  redirectUri: string;
  caFile?: string;
  proxy?: string;
  timeoutMs: number;
  warnDays: number;
  strict: boolean;
  allowHttpLoopback: boolean;
  cortexConnection?: () => Promise<import('../../cortex/connections.js').CortexConnectionReport>;
  /** Include the cortex-connection check (verify), skipped when there is no API key. */
  compareWithCortex?: boolean;
  /** A read-only Okta API token: the Okta-side audit (okta-* checks) runs too. */
  oktaApiToken?: Secret;
}

/** The diagnose checklist for the issuer, then the probes that need no user, then Cortex's side. */
export async function runVerification(
  input: VerifyInput,
  deps: Pick<ConnectorDeps, 'io' | 'onCheck' | 'now'>,
): Promise<DiagnoseResult> {
  const { runChecklist } = await import('../../checks/checklist.js');
  return runChecklist({
    // Cortex's connection is compared by `verify`; `set` has not pushed it yet.
    list: input.compareWithCortex ? 'connector-verify' : 'connector-set',
    issuers: [input.issuer],
    options: {
      timeoutMs: input.timeoutMs,
      warnDays: input.warnDays,
      strict: input.strict,
      allowHttpLoopback: input.allowHttpLoopback,
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      redirectUri: input.redirectUri,
      ...(input.cortexConnection ? { cortexConnection: input.cortexConnection } : {}),
      // With an Okta API token, the Okta-side audit reads the app and its policies (GET only).
      ...(input.oktaApiToken ? { oktaApiToken: input.oktaApiToken } : {}),
    },
    ...(input.caFile ? { caFile: input.caFile } : {}),
    ...(input.proxy ? { proxy: input.proxy } : {}),
    env: deps.io.env,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.onCheck ? { onCheck: deps.onCheck } : {}),
  });
}

/** The flags of the connector commands that run the checklist (set, verify). */
export interface CommonConnectorOptions {
  profile?: string;
  /** Section of Cortex's CLI config (~/.cortex/config) to read the API key from. */
  tenant?: string;
  clientId?: string;
  issuer?: string;
  apiUrl?: string;
  redirectUri?: string;
  caFile?: string;
  proxy?: string;
  timeoutSeconds: number;
  warnDays: number;
  allowHttpLoopback?: boolean;
}
