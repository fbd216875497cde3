// runChecklist(): the one way a command runs checks (diagnose, connector set's pre-flight, connector
// verify, okta audit). It picks the checks from the registry, builds the network context and closes
// it again.
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
