// Options several commands share, and the small input rules that go with them. Loaded for `--help`:
// commander and light modules only.
import { type Command, Option } from 'commander';
import { CortexSsoError } from '../errors.js';
import type { Factory } from '../factory.js';
import { FORMATS } from '../report/output.js';

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function toNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) {
      throw new CortexSsoError('USAGE', `${flag} expects a number, got "${value}"`);
    }
    return n;
  };
}

/** The `Examples:` block every command's --help ends with. */
export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/** --format: its choices and their help come from the format registry (report/output.ts). */
export function formatOption(): Option {
  return formatOptionOf(Object.keys(FORMATS) as Array<keyof typeof FORMATS>);
}

/**
 * --format for commands whose result is a document, not a checklist: the registry's formats that are
 * not checklist-only (text, json). --json is the same as --format json.
 */
export function documentFormatOption(): Option {
  const names = (Object.keys(FORMATS) as Array<keyof typeof FORMATS>).filter(
    (n) => !('checklistOnly' in FORMATS[n]),
  );
  return formatOptionOf(names);
}

function formatOptionOf(names: Array<keyof typeof FORMATS>): Option {
  return new Option('--format <format>', `output: ${names.map((n) => FORMATS[n].help).join(', ')}`).choices(
    names,
  );
}

export const profileOption = () =>
  new Option('--profile <name>', 'profile to use (env CORTEX_SSO_PROFILE, default "default")');
export const apiUrlOption = () =>
  new Option(
    '--api-url <url>',
    'Cortex API base URL (env CORTEX_BASE_URL, else base_url in ~/.cortex/config; default https://api.getcortexapp.com)',
  );
export const tenantOption = () =>
  new Option(
    '--tenant <alias>',
    'section of Cortex CLI\'s config (~/.cortex/config) to take the API key from (env CORTEX_TENANT_ALIAS, default "default")',
  );
export const oktaTokenOption = () =>
  new Option('--okta', 'the read-only Okta API token (for `okta audit`) instead of the Cortex API token');

/** The options of the issuer checklist, shared by diagnose, connector set and connector verify. */
export function checkOptions(cmd: Command): Command {
  return cmd
    .option('--ca-file <pem>', 'extra trusted CA certificates (PEM), e.g. a corporate TLS-inspection root')
    .option(
      '--proxy <url>',
      'HTTP proxy for the issuer checks (default: HTTPS_PROXY / HTTP_PROXY / NO_PROXY)',
    )
    .addOption(
      new Option('--timeout <seconds>', 'timeout for each network step')
        .argParser(toNumber('--timeout'))
        .default(10),
    )
    .addOption(
      new Option('--warn-days <n>', 'warn when the certificate expires within n days')
        .argParser(toNumber('--warn-days'))
        .default(30),
    )
    .option(
      '--allow-http-loopback',
      'allow a plain-http issuer on a loopback address (local test providers)',
    );
}

/** checkOptions plus the redirect URI the verify probes use. */
export function networkOptions(cmd: Command): Command {
  return checkOptions(
    cmd.option(
      '--redirect-uri <url>',
      'redirect URI Cortex uses (default https://cortexapp.auth0.com/login/callback)',
    ),
  );
}

/** The values of the options added by networkOptions(), as the command modules name them. */
export function networkValues(opts: Record<string, unknown>) {
  return {
    redirectUri: opts.redirectUri as string | undefined,
    caFile: opts.caFile as string | undefined,
    proxy: opts.proxy as string | undefined,
    timeoutSeconds: opts.timeout as number,
    warnDays: opts.warnDays as number,
    allowHttpLoopback: Boolean(opts.allowHttpLoopback),
  };
}

/** An empty --issuer "" is a usage error (exit 2), not an issuer that fails its checks. */
export function rejectEmptyIssuer(issuers: readonly string[] | string | undefined): void {
  const list = typeof issuers === 'string' ? [issuers] : (issuers ?? []);
  if (list.some((i) => i.trim() === '')) {
    throw new CortexSsoError(
      'USAGE',
      '--issuer is empty: give the Okta issuer, e.g. --issuer https://acme.okta.com (or leave the flag out to use CORTEX_SSO_ISSUER or the profile)',
    );
  }
}

/**
 * A profile named by --profile that was never saved: say so, and list the saved ones, rather than
 * reporting the values the profile would have given as missing. (CORTEX_SSO_PROFILE is left alone:
 * CI sets it once for every step, including the one that saves the profile.)
 */
export async function assertProfileSaved(f: Factory, flag: string | undefined): Promise<void> {
  if (!flag?.trim()) return;
  const { resolveProfileName, assertKnownProfile } = await import('../config/resolve.js');
  const name = resolveProfileName(flag, f.io.env);
  assertKnownProfile(name, (await f.config()).listProfiles());
}
