import { CortexSsoError } from '../errors.js';
import { Secret } from '../secret.js';
import { apiTokenAccount, type Keychain } from '../secrets/keychain.js';
import type { CortexCliTenant } from './cortex-cli-config.js';
import { assertProfileName, type Profile } from './store.js';

export type Env = Record<string, string | undefined>;

export const DEFAULT_PROFILE = 'default';
export const DEFAULT_API_URL = 'https://api.getcortexapp.com';

export type ApiUrlSource = 'flag' | 'env' | 'profile' | 'cortex-cli' | 'default';

/**
 * The client ID and issuer of a saved connector, for the commands that check one (connector verify,
 * okta audit): the flag, then CORTEX_SSO_CLIENT_ID / CORTEX_SSO_ISSUER, then the profile. `missing`
 * names each absent value and how to give it.
 */
export function resolveConnectorValues(
  flags: { clientId?: string | undefined; issuer?: string | undefined },
  env: Env,
  profile: Profile | undefined,
): { clientId?: string; issuer?: string; missing: string[] } {
  const clientId = flags.clientId ?? env.CORTEX_SSO_CLIENT_ID ?? profile?.clientId;
  const issuer = flags.issuer ?? env.CORTEX_SSO_ISSUER ?? profile?.issuer;
  const missing: string[] = [];
  if (!clientId) missing.push('the client ID: --client-id, CORTEX_SSO_CLIENT_ID, or `connector set` first');
  if (!issuer) missing.push('the issuer: --issuer, CORTEX_SSO_ISSUER, or `connector set` first');
  return { ...(clientId ? { clientId } : {}), ...(issuer ? { issuer } : {}), missing };
}

/** `--profile`, then CORTEX_SSO_PROFILE, else "default". */
export function resolveProfileName(flag: string | undefined, env: Env): string {
  const name = nonEmpty(flag) ?? nonEmpty(env.CORTEX_SSO_PROFILE) ?? DEFAULT_PROFILE;
  assertProfileName(name);
  return name;
}

/** A profile the user named that was never saved: a usage error that lists the saved ones. */
export function assertKnownProfile(name: string, known: readonly string[]): void {
  if (known.includes(name)) return;
  const list =
    known.length > 0
      ? `saved profiles: ${known.join(', ')}. Use one of them`
      : 'no profile is saved yet. `cortex-sso connector set --profile NAME` saves one';
  throw new CortexSsoError(
    'USAGE',
    `unknown profile "${name}" (--profile); ${list}, or give the values with flags.`,
  );
}

/**
 * `--api-url`, then CORTEX_BASE_URL (the name Cortex's own CLI reads), then the profile's apiUrl,
 * then `base_url` of the tenant in Cortex's CLI config (~/.cortex/config), else Cortex's cloud API.
 */
export function resolveApiUrl(
  flag: string | undefined,
  env: Env,
  profile?: Profile,
  cortexCli?: CortexCliTenant | null,
): { value: string; source: ApiUrlSource } {
  const candidates: Array<[string | undefined, ApiUrlSource, string]> = [
    [flag, 'flag', '--api-url'],
    [env.CORTEX_BASE_URL, 'env', 'CORTEX_BASE_URL'],
    [profile?.apiUrl, 'profile', "the profile's apiUrl"],
    [cortexCli?.baseUrl, 'cortex-cli', `base_url of [${cortexCli?.tenant}] in ${cortexCli?.file}`],
  ];
  for (const [raw, source, label] of candidates) {
    const value = nonEmpty(raw);
    if (value !== undefined) return { value: normalizeApiUrl(value, label), source };
  }
  return { value: DEFAULT_API_URL, source: 'default' };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopback(hostname: string): boolean {
  return (
    LOOPBACK_HOSTS.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname.endsWith('.localhost')
  );
}

/** https (http only for loopback hosts), no credentials/query/fragment, no trailing slash. */
export function normalizeApiUrl(raw: string, label = 'API URL'): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new CortexSsoError('INPUT_INVALID', `${label} is not a URL: ${JSON.stringify(raw.slice(0, 200))}.`);
  }
  if (url.username || url.password) {
    throw new CortexSsoError('INPUT_INVALID', `${label} must not contain credentials.`);
  }
  if (url.protocol === 'http:') {
    if (!isLoopback(url.hostname)) {
      throw new CortexSsoError(
        'INPUT_INVALID',
        `${label} must use https (plain http is allowed only for localhost): ${url.origin}.`,
      );
    }
  } else if (url.protocol !== 'https:') {
    throw new CortexSsoError('INPUT_INVALID', `${label} must be an https URL, not ${url.protocol}.`);
  }
  if (url.search || url.hash) {
    throw new CortexSsoError('INPUT_INVALID', `${label} must not have a query or fragment.`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

export type TokenSource = 'env' | 'keychain' | 'cortex-cli';

export interface ResolvedToken {
  token: Secret;
  source: TokenSource;
  /** Where it came from, in words: `CORTEX_API_KEY`, the keychain, `~/.cortex/config [default]`. */
  where: string;
}

/**
 * CORTEX_API_KEY first, then the keychain entry `api-token:<profile>`, then `api_key` of the tenant
 * in Cortex's CLI config (read-only). null when none has one. A keychain that cannot be read does
 * not hide a key in Cortex's CLI config; with no key anywhere, its error is thrown.
 */
export async function resolveApiToken(
  env: Env,
  keychain: Keychain,
  profile: string,
  cortexCli?: () => CortexCliTenant | null,
): Promise<ResolvedToken | null> {
  const fromEnv = nonEmpty(env.CORTEX_API_KEY);
  if (fromEnv !== undefined) return { token: new Secret(fromEnv), source: 'env', where: 'CORTEX_API_KEY' };
  let keychainError: unknown;
  try {
    const stored = await keychain.get(apiTokenAccount(profile));
    if (stored !== null) return { token: stored, source: 'keychain', where: keychain.description };
  } catch (err) {
    keychainError = err;
  }
  const tenant = cortexCli?.();
  if (tenant?.apiKey) {
    return {
      token: new Secret(tenant.apiKey),
      source: 'cortex-cli',
      where: `${tenant.file} [${tenant.tenant}]`,
    };
  }
  if (keychainError !== undefined) throw keychainError;
  return null;
}

function nonEmpty(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
