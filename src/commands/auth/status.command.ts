// `cortex-sso auth status`: its declaration; the work is in ./status.ts, loaded when it runs.
import type { Command } from 'commander';
import type { Factory } from '../../factory.js';
import { action, type Opts } from '../action.js';
import { documentFormatOption, examples, oktaTokenOption, profileOption, tenantOption } from '../options.js';

export function define(parent: Command, f: Factory): Command {
  return parent
    .command('status')
    .description(
      'Say where the API key comes from (CORTEX_API_KEY, the keychain, or ~/.cortex/config); exit 1 when there is none.',
    )
    .addOption(oktaTokenOption())
    .addOption(profileOption())
    .addOption(tenantOption())
    .option('--json', 'print one JSON document; same as --format json')
    .addOption(documentFormatOption())
    .addHelpText(
      'after',
      examples(['cortex-sso auth status', 'cortex-sso auth status --profile staging --json']),
    )
    .action(
      action(f, {
        async run(opts: Opts) {
          const { run } = await import('./status.js');
          return run(
            { profile: opts.profile, tenant: opts.tenant, okta: Boolean(opts.okta) },
            await f.authDeps(),
          );
        },
        text: async (result) => `${(await import('./status.js')).formatText(result)}\n`,
        exit: (result) => (result.source === 'none' ? 1 : 0),
      }),
    );
}
