// runChecklist(): the one way a command runs checks (diagnose, connector set's pre-flight, connector
// verify, okta audit). It picks the checks from the registry, builds the network context and closes
// it again.
import { CortexSsoError } from '../errors.js';
import type { CheckResult, DiagnoseResult } from '../result.js';
import { type Checklist, loadChecks } from './index.js';
import type { CheckOptions } from './types.js';

export interface ChecklistRun {
  list: Checklist;
  issuers: readonly string[];
  options: CheckOptions;
  /** --ca-file and --proxy of the command line; the environment for HTTP(S)_PROXY and friends. */
  caFile?: string;
  proxy?: string;
  env: Readonly<Record<string, string | undefined>>;
  now?: () => Date;
  onCheck?: (issuerInput: string, result: CheckResult) => void;
}

export async function runChecklist(run: ChecklistRun): Promise<DiagnoseResult> {
  const [{ createNetContext }, { runChecks }, checks] = await Promise.all([
    import('../net/create.js'),
    import('./runner.js'),
    loadChecks(run.list, { oktaToken: Boolean(run.options.oktaApiToken) }),
  ]);
  const net = createNetContext({
    ...(run.caFile ? { caFile: run.caFile } : {}),
    ...(run.proxy ? { proxyFlag: run.proxy } : {}),
    timeoutMs: run.options.timeoutMs,
    env: run.env,
  });
  try {
    return await runChecks(
      run.issuers,
      checks,
      { options: run.options, net, now: run.now ?? (() => new Date()) },
      run.onCheck ? { onCheck: run.onCheck } : {},
    );
  } finally {
    await net.close();
  }
}

/** The flags every command that runs the checklist takes (diagnose, connector set and verify). */
export function validateNetworkFlags(timeoutSeconds: number, warnDays: number): void {
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 300) {
    throw new CortexSsoError(
      'USAGE',
      '--timeout must be a number of seconds between 0 and 300, e.g. --timeout 10',
    );
  }
  if (!Number.isInteger(warnDays) || warnDays < 0 || warnDays > 3650) {
    throw new CortexSsoError(
      'USAGE',
      '--warn-days must be a whole number of days from 0 to 3650, e.g. --warn-days 30',
    );
  }
}
