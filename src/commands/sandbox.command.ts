// `cortex-sso sandbox`: its declaration; the action loads the servers (and their heavy modules:
// oidc-provider, @peculiar/x509) only when this command runs, so `--help` stays cheap.
import type { Command } from 'commander';
import { CortexSsoError } from '../errors.js';
import type { Factory } from '../factory.js';
import { EXIT } from '../report/errors.js';
import { documentFormatOption } from './options.js';

function port(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n > 65535) {
      throw new CortexSsoError('USAGE', `${flag} expects a port number 0-65535, got "${value}"`);
    }
    return n;
  };
}

export function define(parent: Command, f: Factory): Command {
  return parent
    .command('sandbox')
    .description(
      'Run a local Cortex API and an Okta-like issuer on loopback, and print the settings to try every command by hand (prints generated, sandbox-only secrets).',
    )
    .option(
      '--port-api <port>',
      'port of the reference Cortex API (default 0: a free port)',
      port('--port-api'),
      0,
    )
    .option(
      '--port-issuer <port>',
      'port of the Okta-like issuer (default 0: a free port)',
      port('--port-issuer'),
      0,
    )
    .option('--reset', 'generate a new CA, client and API key (and forget saved connections)')
    .option('--json', 'print one JSON document with the same settings, then serve; same as --format json')
    .addOption(documentFormatOption())
    .addHelpText(
      'after',
      `
Keeps its CA, client and key in the settings directory (<config dir>/sandbox, files 0600; env
CORTEX_SSO_CONFIG_DIR) and reuses them; writes nothing in the working directory. The client secret
and API key it prints are generated for this sandbox only. Runs until Ctrl+C (exit 130). One
sandbox per settings directory: a second one is refused until the first stops.

Examples:
  cortex-sso sandbox                      # terminal 1: prints export lines, serves until Ctrl+C
  eval "$(cat ~/.config/cortex-sso/sandbox/sandbox.env)"   # terminal 2 (the path is printed)
  cortex-sso connector set --type okta --no-store --yes
  cortex-sso sandbox --json --port-api 8787 --port-issuer 8443
  cortex-sso sandbox --reset              # new CA, client and key`,
    )
    .action(
      async (opts: {
        portApi: number;
        portIssuer: number;
        reset?: boolean;
        json?: boolean;
        format?: string;
      }) => {
        const [{ run, renderBanner, renderExports }, { outputFormat }] = await Promise.all([
          import('./sandbox.js'),
          import('../report/output.js'),
        ]);
        const json = outputFormat(opts) === 'json';
        f.format = json ? 'json' : 'text';
        // The entry point owns the process and its signals; without it (a test calling run()), serve
        // until the process ends.
        const stopped = f.io.untilStopped?.() ?? new Promise<never>(() => {});
        const sandbox = await run(
          { portApi: opts.portApi, portIssuer: opts.portIssuer, reset: Boolean(opts.reset) },
          { env: f.io.env },
        );
        const { result } = sandbox;
        // Flushed before serving: a script reads the settings, then talks to the servers.
        if (json) f.io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else {
          f.io.stderr.write(renderBanner(result));
          f.io.stdout.write(renderExports(result.env));
        }
        await stopped;
        await sandbox.close();
        f.io.stderr.write('sandbox stopped\n');
        f.exitCode = EXIT.INTERRUPTED;
      },
    );
}
