// `cortex-sso okta audit`: its declaration; the work is in ./audit.ts, loaded when it runs.
import type { Command } from 'commander';
import type { Factory } from '../../factory.js';
import { action, type Opts, okExit } from '../action.js';
import { formatOption, networkOptions, networkValues, profileOption } from '../options.js';

export function define(parent: Command, f: Factory): Command {
  return networkOptions(
    parent
      .command('audit')
      .description(
        "Read the Okta app and its authorization server's access policies; name every setting that would lock users out.",
      )
      .addOption(profileOption())
      .option('--client-id <id>', 'the Okta app client ID (env CORTEX_SSO_CLIENT_ID; default: the profile)')
      .option('--issuer <url>', 'the Okta issuer (env CORTEX_SSO_ISSUER; default: the profile)'),
  )
    .option('--strict', 'treat warnings as failures')
    .option('--json', 'print one JSON document (same schema as connector verify); same as --format json')
    .addOption(formatOption())
    .option('--verbose', 'show details of passing checks too')
    .addHelpText(
      'after',
      `
The Okta API token comes from OKTA_API_TOKEN, else the keychain (\`cortex-sso auth login --okta\`).
It is sent only to the issuer's Okta org, as "Authorization: SSWS ...", and only with GET requests.
A token created by a Read-Only Administrator suffices (docs/security.md). Findings: docs/okta-audit.md.

Examples:
  cortex-sso okta audit                                  # the connector saved in the profile
  cortex-sso okta audit --client-id 0oa... --issuer https://acme.okta.com/oauth2/default --json
  OKTA_API_TOKEN=... cortex-sso okta audit --format junit > okta-audit-junit.xml`,
    )
    .action(
      action(f, {
        progress: true,
        async run(opts: Opts, { onCheck }) {
          const { run } = await import('./audit.js');
          const [keychain, config] = await Promise.all([f.keychain(), f.config()]);
          return run(
            {
              profile: opts.profile,
              clientId: opts.clientId,
              issuer: opts.issuer,
              ...networkValues(opts),
              strict: Boolean(opts.strict),
            },
            { io: f.io, keychain, config, ...(onCheck ? { onCheck } : {}) },
          );
        },
        text: async (result, o) => (await import('../../report/text.js')).renderAudit(result, o),
        exit: okExit,
      }),
    );
}
