// `cortex-sso auth logout`: its declaration; the work is in ./logout.ts, loaded when it runs.
import type { Command } from 'commander';
import type { Factory } from '../../factory.js';
import { action, type Opts } from '../action.js';
import { documentFormatOption, examples, oktaTokenOption, profileOption } from '../options.js';

export function define(parent: Command, f: Factory): Command {
  return parent
    .command('logout')
    .description('Remove the API token (or with --okta the Okta API token) from the keychain.')
    .addOption(oktaTokenOption())
    .addOption(profileOption())
    .option('--json', 'print one JSON document; same as --format json')
    .addOption(documentFormatOption())
    .addHelpText('after', examples(['cortex-sso auth logout', 'cortex-sso auth logout --profile staging']))
    .action(
      action(f, {
        async run(opts: Opts) {
          const { run } = await import('./logout.js');
          return run({ profile: opts.profile, okta: Boolean(opts.okta) }, await f.authDeps());
        },
        text: async (result) => `${(await import('./logout.js')).formatText(result)}\n`,
      }),
    );
}
