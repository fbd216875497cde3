import { readCortexCliTenant } from '../../config/cortex-cli-config.js';
import { type Env, resolveApiToken, resolveApiUrl, type TokenSource } from '../../config/resolve.js';
import type { ConfigStore, Profile } from '../../config/store.js';
import type { CortexClient } from '../../cortex/client.js';
import { CortexSsoError } from '../../errors.js';
import type { Io } from '../../io.js';
import type { Prompter } from '../../prompter.js';
import { readCapped } from '../../read-capped.js';
import type { CheckResult, DiagnoseResult } from '../../result.js';
import { Secret } from '../../secret.js';
import type { Keychain } from '../../secrets/keychain.js';

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

export type { Source } from '../../result.js';

/** Read all of stdin (for --client-secret-stdin), without its final newline. */
export async function readStdin(stream: NodeJS.ReadableStream, maxBytes = 64 * 1024): Promise<Secret> {
  const { bytes } = await readCapped(
    stream,
    maxBytes,
    () =>
      new CortexSsoError(
        'INPUT_INVALID',
        `stdin is larger than ${maxBytes} bytes; expected one client secret.`,
      ),
  );
  return new Secret(bytes.toString('utf8').replace(/\r?\n$/, ''));
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
