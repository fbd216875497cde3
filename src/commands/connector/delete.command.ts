// `cortex-sso connector delete`: its declaration; the work is in ./delete.ts, loaded when it runs.
import type { Command } from 'commander';
import type { Factory } from '../../factory.js';
import { action, type Opts } from '../action.js';
import { apiUrlOption, documentFormatOption, examples, profileOption, tenantOption } from '../options.js';

export function define(parent: Command, f: Factory): Command {
  return parent
    .command('delete')
    .description(
      "Delete the profile's connection in Cortex by its id (asks first), then the local secret. Never deletes all.",
    )
    .addOption(profileOption())
    .addOption(apiUrlOption())
    .addOption(tenantOption())
    .option('--connection-id <id>', "delete this connection instead of the profile's (see `connector show`)")
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .option('--json', 'print one JSON document; same as --format json')
    .addOption(documentFormatOption())
    .addHelpText(
      'after',
      examples(['cortex-sso connector delete', 'cortex-sso connector delete --profile staging --yes --json']),
    )
    .action(
      action(f, {
        async run(opts: Opts) {
          const { run } = await import('./delete.js');
          return run(
            {
              profile: opts.profile,
              apiUrl: opts.apiUrl,
              tenant: opts.tenant,
              ...(opts.connectionId !== undefined ? { connectionId: opts.connectionId } : {}),
              yes: Boolean(opts.yes),
            },
            await f.connectorDeps(false),
          );
        },
        text: async (result, o) => (await import('../../report/connector.js')).renderDelete(result, o),
      }),
    );
}
