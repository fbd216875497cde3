// `cortex-sso auth login`: its declaration; the work is in ./login.ts, loaded when it runs.
import type { Command } from 'commander';
import type { Factory } from '../../factory.js';
import { action, type Opts } from '../action.js';
import { documentFormatOption, oktaTokenOption, profileOption } from '../options.js';

export function define(parent: Command, f: Factory): Command {
  return parent
    .command('login')
    .description(
      'Store a Cortex API key (or with --okta the Okta API token) in the OS keychain: asked for (masked) at a terminal, or read from a pipe with --with-token.',
    )
    .option('--with-token', 'read the token from stdin when it is a pipe (never pass a token as a flag)')
    .addOption(oktaTokenOption())
    .addOption(profileOption())
    .option('--no-input', 'never prompt; with stdin at a terminal, fail instead of asking')
    .option('--json', 'print one JSON document; same as --format json')
    .addOption(documentFormatOption())
    .addHelpText(
      'after',
      `
Create the Okta API token as a Read-Only Administrator (docs/security.md); OKTA_API_TOKEN in the
environment wins over the stored one.

Examples:
  cortex-sso auth login                                  # at a terminal: asks, input hidden
  cortex-sso auth login --with-token < token.txt
  printf %s "$CORTEX_TOKEN" | cortex-sso auth login --with-token --profile staging --json
  cortex-sso auth login --okta                           # the Okta API token, masked prompt
  cortex-sso auth login --okta --with-token < okta-token.txt`,
    )
    .action(
      action(f, {
        async run(opts: Opts) {
          const { run } = await import('./login.js');
          return run(
            { profile: opts.profile, withToken: Boolean(opts.withToken), okta: Boolean(opts.okta) },
            await f.authDeps(opts.input === false),
          );
        },
        text: async (result) => `${(await import('./login.js')).formatText(result)}\n`,
      }),
    );
}
