// `cortex-sso connector show`: its declaration; the work is in ./show.ts, loaded when it runs.
import type { Command } from 'commander';
import type { Factory } from '../../factory.js';
import { action, type Opts, okExit } from '../action.js';
import { apiUrlOption, documentFormatOption, examples, profileOption, tenantOption } from '../options.js';

export function define(parent: Command, f: Factory): Command {
  return parent
    .command('show')
    .description(
      "Show the profile's settings and the connection Cortex holds side by side; flag drift (exit 1 on drift or when Cortex cannot be read).",
    )
    .addOption(profileOption())
    .addOption(apiUrlOption())
    .addOption(tenantOption())
    .option('--json', 'print one JSON document; same as --format json')
    .addOption(documentFormatOption())
    .addHelpText(
      'after',
      examples(['cortex-sso connector show', 'cortex-sso connector show --profile staging --json']),
    )
    .action(
      action(f, {
        async run(opts: Opts) {
          const { run } = await import('./show.js');
          return run(
            { profile: opts.profile, apiUrl: opts.apiUrl, tenant: opts.tenant },
            await f.connectorDeps(true),
          );
        },
        text: async (result, o) => (await import('../../report/connector.js')).renderShow(result, o),
        exit: okExit,
      }),
    );
}
