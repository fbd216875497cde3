// `cortex-sso connector verify`: its declaration; the work is in ./verify.ts, loaded when it runs.
import type { Command } from 'commander';
import type { Factory } from '../../factory.js';
import { action, type Opts, okExit } from '../action.js';
import {
  apiUrlOption,
  assertProfileSaved,
  examples,
  formatOption,
  networkOptions,
  networkValues,
  profileOption,
  rejectEmptyIssuer,
  tenantOption,
} from '../options.js';

export function define(parent: Command, f: Factory): Command {
  return networkOptions(
    parent
      .command('verify')
      .description(
        'Run the diagnose checklist for the saved issuer, then check the credentials and the redirect URI without a user.',
      )
      .addOption(profileOption())
      .option('--client-id <id>', 'override the saved client ID (env CORTEX_SSO_CLIENT_ID)')
      .option('--issuer <url>', 'override the saved issuer (env CORTEX_SSO_ISSUER)')
      .addOption(apiUrlOption())
      .addOption(tenantOption()),
  )
    .option('--strict', 'treat warnings as failures')
    .option('--json', 'print one JSON document (same schema as diagnose); same as --format json')
    .addOption(formatOption())
    .addHelpText(
      'after',
      `
The client secret comes from CORTEX_SSO_CLIENT_SECRET or the OS keychain (stored by \`connector set\`).
With a Cortex API key (CORTEX_API_KEY, \`auth login\` or ~/.cortex/config) the check "cortex-connection"
compares the values with the connection Cortex holds; without a key it is skipped.
${examples([
  'cortex-sso connector verify',
  'cortex-sso connector verify --profile staging --strict --json',
  'cortex-sso connector verify --format junit > connector-junit.xml',
])}`,
    )
    .option('--verbose', 'show details of passing checks too')
    .action(
      action(f, {
        progress: true,
        async run(opts: Opts, { onCheck }) {
          const { run } = await import('./verify.js');
          rejectEmptyIssuer(opts.issuer);
          const env = f.io.env;
          if (!(opts.issuer ?? env.CORTEX_SSO_ISSUER) || !(opts.clientId ?? env.CORTEX_SSO_CLIENT_ID)) {
            await assertProfileSaved(f, opts.profile);
          }
          const deps = await f.connectorDeps(true);
          return run(
            {
              profile: opts.profile,
              clientId: opts.clientId,
              issuer: opts.issuer,
              apiUrl: opts.apiUrl,
              tenant: opts.tenant,
              ...networkValues(opts),
              strict: Boolean(opts.strict),
            },
            { ...deps, ...(onCheck ? { onCheck } : {}) },
          );
        },
        text: async (result, o) => (await import('../../report/connector.js')).renderVerify(result, o),
        exit: okExit,
      }),
    );
}
