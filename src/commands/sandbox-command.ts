// The `sandbox` command's definition: flags, help, and the action, which loads the servers (and
// their heavy modules: oidc-provider, @peculiar/x509) only when this command runs. Imported by
// cli.ts at start-up: keep its imports as light as cli.ts's own.
import type { Command } from 'commander';
import { CortexSsoError } from '../errors.js';
import type { Io } from '../io.js';

export interface SandboxHost {
  io: Io;
  exitCode: number;
}

export interface SandboxHooks {
  /** Resolves when the process is asked to stop (SIGINT, SIGTERM); cli.ts owns the process. */
  untilStopped(): Promise<'SIGINT' | 'SIGTERM'>;
  /** The exit code after a clean stop. */
  stoppedExitCode: number;
}

function port(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n > 65535) {
      throw new CortexSsoError('USAGE', `${flag} expects a port number 0-65535, got "${value}"`);
    }
    return n;
  };
}

export function registerSandbox(program: Command, host: SandboxHost, hooks: SandboxHooks): Command {
  return program
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
    .option('--json', 'print one JSON document with the same settings, then serve')
    .addHelpText(
      'after',
      `
Keeps its CA, client and key in the settings directory (<config dir>/sandbox, files 0600; env
CORTEX_SSO_CONFIG_DIR) and reuses them; writes nothing in the working directory. The client secret
and API key it prints are generated for this sandbox only. Runs until Ctrl+C (exit 130).

Examples:
  cortex-sso sandbox                      # terminal 1: prints export lines, serves until Ctrl+C
  eval "$(cat ~/.config/cortex-sso/sandbox/sandbox.env)"   # terminal 2 (the path is printed)
  cortex-sso connector set --type okta --no-store --yes
  cortex-sso sandbox --json --port-api 8787 --port-issuer 8443
  cortex-sso sandbox --reset              # new CA, client and key`,
    )
    .action(async (opts: { portApi: number; portIssuer: number; reset?: boolean; json?: boolean }) => {
      const { run, renderBanner, renderExports } = await import('./sandbox.js');
      const stopped = hooks.untilStopped();
      const sandbox = await run(
        { portApi: opts.portApi, portIssuer: opts.portIssuer, reset: Boolean(opts.reset) },
        { env: host.io.env },
      );
      const { result } = sandbox;
      // Flushed before serving: a script reads the settings, then talks to the servers.
      if (opts.json) host.io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        host.io.stderr.write(renderBanner(result));
        host.io.stdout.write(renderExports(result.env));
      }
      await stopped;
      await sandbox.close();
      host.io.stderr.write('sandbox stopped\n');
      host.exitCode = hooks.stoppedExitCode;
    });
}
