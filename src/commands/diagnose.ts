import { validateNetworkFlags } from '../checks/checklist.js';
import { CortexSsoError } from '../errors.js';
import type { CheckResult, DiagnoseResult } from '../result.js';

export interface DiagnoseOptions {
  /** Empty: the issuer from CORTEX_SSO_ISSUER or the profile (see defaultIssuers). */
  issuers: string[];
  profile?: string;
  caFile?: string;
  proxy?: string;
  timeoutSeconds: number;
  warnDays: number;
  strict: boolean;
  allowHttpLoopback: boolean;
}

export interface DiagnoseDeps {
  env: Readonly<Record<string, string | undefined>>;
  now?: () => Date;
  onCheck?: (issuerInput: string, result: CheckResult) => void;
}

export function validateDiagnoseOptions(opts: DiagnoseOptions): void {
  if (opts.issuers.length === 0) {
    throw new CortexSsoError(
      'USAGE',
      'missing --issuer: give the Okta issuer to check, e.g. --issuer https://acme.okta.com (or set CORTEX_SSO_ISSUER, or save a connector with `cortex-sso connector set`)',
    );
  }
  validateNetworkFlags(opts.timeoutSeconds, opts.warnDays);
}

/** With no --issuer: CORTEX_SSO_ISSUER, else the issuer `connector set` saved in the profile. */
async function defaultIssuers(profileFlag: string | undefined, env: DiagnoseDeps['env']): Promise<string[]> {
  const fromEnv = env.CORTEX_SSO_ISSUER?.trim();
  if (fromEnv) return [fromEnv];
  const [{ resolveProfileName }, { openConfigStore }] = await Promise.all([
    import('../config/resolve.js'),
    import('../config/store.js'),
  ]);
  const saved = openConfigStore({ env: { ...env } }).getProfile(
    resolveProfileName(profileFlag, { ...env }),
  )?.issuer;
  return saved ? [saved] : [];
}

export async function run(given: DiagnoseOptions, deps: DiagnoseDeps): Promise<DiagnoseResult> {
  const opts =
    given.issuers.length > 0 ? given : { ...given, issuers: await defaultIssuers(given.profile, deps.env) };
  validateDiagnoseOptions(opts);
  const { runChecklist } = await import('../checks/checklist.js');
  return runChecklist({
    list: 'diagnose',
    issuers: opts.issuers,
    options: {
      timeoutMs: Math.round(opts.timeoutSeconds * 1000),
      warnDays: opts.warnDays,
      strict: opts.strict,
      allowHttpLoopback: opts.allowHttpLoopback,
    },
    ...(opts.caFile ? { caFile: opts.caFile } : {}),
    ...(opts.proxy ? { proxy: opts.proxy } : {}),
    env: deps.env,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.onCheck ? { onCheck: deps.onCheck } : {}),
  });
}
