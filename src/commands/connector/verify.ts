import { validateNetworkFlags } from '../../checks/checklist.js';
import { resolveConnectorValues, resolveProfileName } from '../../config/resolve.js';
import { CORTEX_CALLBACK_URI } from '../../cortex/types.js';
import { CortexSsoError } from '../../errors.js';
import { parseIssuer } from '../../okta/issuer.js';
import { checkClientId } from '../../okta/values.js';
import type { VerifyResult } from '../../result.js';
import { Secret } from '../../secret.js';
import { clientSecretAccount } from '../../secrets/keychain.js';
import { openApi } from './api-session.js';
import type { CommonConnectorOptions, ConnectorDeps } from './shared.js';
import { runVerification, type VerifyInput } from './verification.js';

export interface VerifyOptions extends CommonConnectorOptions {
  strict: boolean;
}

export async function run(opts: VerifyOptions, deps: ConnectorDeps): Promise<VerifyResult> {
  validateNetworkFlags(opts.timeoutSeconds, opts.warnDays);
  const env = deps.io.env;
  const profileName = resolveProfileName(opts.profile, env);
  const profile = deps.config.getProfile(profileName);

  const { clientId: clientIdRaw, issuer: issuerRaw, missing } = resolveConnectorValues(opts, env, profile);

  let secret: Secret | null = null;
  let keychainFailed = false;
  if (env.CORTEX_SSO_CLIENT_SECRET) secret = new Secret(env.CORTEX_SSO_CLIENT_SECRET.trim());
  else {
    try {
      secret = await deps.keychain.get(clientSecretAccount(profileName));
    } catch (err) {
      // With nothing configured, "nothing to verify" is the news; the keychain only matters after.
      if (missing.length === 0 || !(err instanceof CortexSsoError)) throw err;
      missing.push(
        `the client secret: CORTEX_SSO_CLIENT_SECRET (the keychain could not be read: ${err.code})`,
      );
      keychainFailed = true;
    }
  }
  if (!secret && !keychainFailed)
    missing.push(
      `the client secret: CORTEX_SSO_CLIENT_SECRET, or \`connector set\` to store it in the keychain (profile "${profileName}")`,
    );
  if (missing.length > 0 || !clientIdRaw || !issuerRaw || !secret) {
    throw new CortexSsoError('INPUT_MISSING', `Nothing to verify for profile "${profileName}"; missing:`, {
      detail: missing.map((m) => `  - ${m}`).join('\n'),
    });
  }
  const clientId = checkClientId(clientIdRaw, '').value;
  // An issuer the parser refuses (the admin console, plain http...) is reported by the checklist's
  // issuer-url check, exit 1 with a result, exactly as `diagnose` reports the same input.
  const parsed = parseIssuer(issuerRaw, { allowHttpLoopback: Boolean(opts.allowHttpLoopback) });
  const issuer = parsed.ok ? parsed.value.issuer : issuerRaw.trim();
  const redirectUri = opts.redirectUri ?? profile?.redirectUri ?? CORTEX_CALLBACK_URI;

  // What Cortex holds is compared when an API key is at hand; without one that check is skipped.
  let cortexConnection: VerifyInput['cortexConnection'];
  try {
    const api = await openApi(profileName, profile, opts.apiUrl, deps, opts.tenant);
    const { reportConnection } = await import('../../cortex/connections.js');
    const ref = {
      clientId,
      issuer,
      // The saved connection id identifies the profile's connection only for the profile's values.
      ...(profile?.connectionId && profile.clientId === clientId && profile.issuer === issuer
        ? { connectionId: profile.connectionId }
        : {}),
    };
    cortexConnection = () => reportConnection(api.client, ref);
  } catch (err) {
    // No key, or no keychain to look one up in (CI): Cortex's connection is simply not compared.
    if (
      !(
        err instanceof CortexSsoError &&
        (err.code === 'API_UNAUTHORIZED' || err.code.startsWith('KEYCHAIN_'))
      )
    ) {
      throw err;
    }
  }

  const { oktaTokenIfAvailable } = await import('../../checks/okta-audit.js');
  const oktaApiToken = await oktaTokenIfAvailable(env, deps.keychain, profileName);

  const result = await runVerification(
    {
      issuer,
      clientId,
      clientSecret: secret,
      redirectUri,
      ...(opts.caFile ? { caFile: opts.caFile } : {}),
      ...(opts.proxy ? { proxy: opts.proxy } : {}),
      timeoutMs: Math.round(opts.timeoutSeconds * 1000),
      warnDays: opts.warnDays,
      strict: opts.strict,
      allowHttpLoopback: Boolean(opts.allowHttpLoopback),
      ...(cortexConnection ? { cortexConnection } : {}),
      compareWithCortex: true,
      ...(oktaApiToken ? { oktaApiToken } : {}),
    },
    deps,
  );
  return { ...result, profile: profileName, clientId, redirectUri };
}

/** The result type lives with the others in src/result.ts (the renderers read it from there). */
export type { VerifyResult } from '../../result.js';
