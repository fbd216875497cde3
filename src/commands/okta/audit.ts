// `cortex-sso okta audit`: read the Okta app (and its authorization server's access policies) with a
// read-only Okta API token and name every setting that would lock users out. Runs the okta-* checks
// through the same runner as diagnose and connector verify: same results, codes, JSON, exit codes.

import { validateNetworkFlags } from '../../checks/checklist.js';
import { resolveConnectorValues, resolveProfileName } from '../../config/resolve.js';
import type { ConfigStore } from '../../config/store.js';
import { CORTEX_CALLBACK_URI } from '../../cortex/types.js';
import { CortexSsoError } from '../../errors.js';
import type { Io } from '../../io.js';
import { parseIssuer } from '../../okta/issuer.js';
import { resolveOktaToken } from '../../okta/management.js';
import { checkClientId } from '../../okta/values.js';
import type { AuditResult, CheckResult } from '../../result.js';
import type { Secret } from '../../secret.js';
import type { Keychain } from '../../secrets/keychain.js';

export interface AuditOptions {
  profile?: string;
  clientId?: string;
  issuer?: string;
  redirectUri?: string;
  caFile?: string;
  proxy?: string;
  timeoutSeconds: number;
  warnDays: number;
  strict: boolean;
  allowHttpLoopback?: boolean;
}

export interface AuditDeps {
  io: Io;
  keychain: Keychain;
  config: ConfigStore;
  onCheck?: (issuerInput: string, result: CheckResult) => void;
  now?: () => Date;
}

const TOKEN_HOWTO =
  'the Okta API token: OKTA_API_TOKEN, or `cortex-sso auth login --okta` to keep one in the keychain (a read-only admin token; see docs/security.md)';

export async function run(opts: AuditOptions, deps: AuditDeps): Promise<AuditResult> {
  validateNetworkFlags(opts.timeoutSeconds, opts.warnDays);
  const env = deps.io.env;
  const profileName = resolveProfileName(opts.profile, env);
  const profile = deps.config.getProfile(profileName);

  const { clientId: clientIdRaw, issuer: issuerRaw, missing } = resolveConnectorValues(opts, env, profile);

  let found: { token: Secret; source: 'env' | 'keychain' } | null = null;
  try {
    found = await resolveOktaToken(env, deps.keychain, profileName);
  } catch (err) {
    // No keychain here (CI): say so next to the way that works without one.
    if (!(err instanceof CortexSsoError)) throw err;
    missing.push(`${TOKEN_HOWTO}; the keychain could not be read: ${err.code}`);
  }
  if (!found && !missing.some((m) => m.startsWith('the Okta API token'))) missing.push(TOKEN_HOWTO);
  if (missing.length > 0 || !clientIdRaw || !issuerRaw || !found) {
    throw new CortexSsoError('INPUT_MISSING', `Nothing to audit for profile "${profileName}"; missing:`, {
      detail: missing.map((m) => `  - ${m}`).join('\n'),
    });
  }
  const clientId = checkClientId(clientIdRaw, opts.clientId ? '--client-id' : '').value;
  // An issuer the parser refuses (the admin console, plain http...) is reported by the checklist's
  // issuer-url check, exit 1 with a result, exactly as `diagnose` and `connector verify` report it.
  const parsed = parseIssuer(issuerRaw, { allowHttpLoopback: Boolean(opts.allowHttpLoopback) });
  const issuer = parsed.ok ? parsed.value.issuer : issuerRaw.trim();
  const redirectUri = opts.redirectUri ?? profile?.redirectUri ?? CORTEX_CALLBACK_URI;

  const { runChecklist } = await import('../../checks/checklist.js');
  const result = await runChecklist({
    list: 'okta-audit',
    issuers: [issuer],
    options: {
      timeoutMs: Math.round(opts.timeoutSeconds * 1000),
      warnDays: opts.warnDays,
      strict: opts.strict,
      allowHttpLoopback: Boolean(opts.allowHttpLoopback),
      clientId,
      redirectUri,
      oktaApiToken: found.token,
    },
    ...(opts.caFile ? { caFile: opts.caFile } : {}),
    ...(opts.proxy ? { proxy: opts.proxy } : {}),
    env,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.onCheck ? { onCheck: deps.onCheck } : {}),
  });
  return { ...result, profile: profileName, clientId, redirectUri };
}

/** The result type lives with the others in src/result.ts (the renderers read it from there). */
export type { AuditResult } from '../../result.js';
