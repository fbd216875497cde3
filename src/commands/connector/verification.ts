// The checks set's pre-flight and verify run for a connector: diagnose's checklist for the issuer,
// then the probes that need no user (secret, redirect URI), then Cortex's side and the Okta audit
// when a key and a token are at hand.
import type { DiagnoseResult } from '../../result.js';
import type { Secret } from '../../secret.js';
import type { ConnectorDeps } from './shared.js';

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
