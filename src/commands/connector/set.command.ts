// `cortex-sso connector set`: its declaration; the work is in ./set.ts, loaded when it runs.
import { type Command, Option } from 'commander';
import { CortexSsoError } from '../../errors.js';
import type { Factory } from '../../factory.js';
import { action, type Opts, okExit } from '../action.js';
import {
  apiUrlOption,
  documentFormatOption,
  networkOptions,
  networkValues,
  profileOption,
  rejectEmptyIssuer,
  tenantOption,
} from '../options.js';

export function define(parent: Command, f: Factory): Command {
  // Whether the values were already shown before the push question (then the report leaves them out).
  let reviewed = false;
  return networkOptions(
    parent
      .command('set')
      .description(
        'Create or update the connector: checks the new values first, then pushes them and keeps the secret in the OS keychain.',
      )
      .option('--type <type>', 'identity provider type (okta)')
      .option('--client-id <id>', 'the Okta app client ID (env CORTEX_SSO_CLIENT_ID)')
      .option('--issuer <url>', 'the Okta issuer (env CORTEX_SSO_ISSUER)')
      .option(
        '--client-secret-stdin',
        'read the client secret from stdin (or env CORTEX_SSO_CLIENT_SECRET); never a flag value',
      )
      .addOption(profileOption())
      .addOption(apiUrlOption())
      .addOption(tenantOption())
      .option('--dry-run', 'show what would change and run the pre-flight; change nothing')
      .option('--force', 'push even if the pre-flight fails or the connector changed meanwhile (dangerous)')
      .option('--no-store', 'push, but keep no copy of the secret in the OS keychain (CI)')
      .option('-y, --yes', 'do not ask for confirmation before pushing')
      .option('--no-input', 'never prompt; fail listing what is missing')
      .addOption(new Option('--client-secret <secret>').hideHelp()),
  )
    .option('--json', 'print one JSON document; same as --format json')
    .addOption(documentFormatOption())
    .option('--verbose', 'show details of passing checks too')
    .addHelpText(
      'after',
      `
Needs a Cortex API key: CORTEX_API_KEY, \`cortex-sso auth login\`, or api_key in ~/.cortex/config.
Cortex has no update route: a change creates the new connection, confirms it in Cortex's list, and
only then deletes the one it replaces (by id). It stops if the list changed while it ran (--force).
Without a keychain (CI), a secret from stdin or env is pushed and not stored locally.
The secret is never accepted as a flag value (shell history, process list).

Examples:
  cortex-sso connector set --type okta            # asks for what is missing
  printf %s "$OKTA_SECRET" | cortex-sso connector set --type okta --client-id 0oa... \\
      --issuer https://acme.okta.com --client-secret-stdin --json
  cortex-sso connector set --type okta --dry-run   # show the diff and run the pre-flight only`,
    )
    .action(
      action(f, {
        progress: true,
        async run(opts: Opts, { onCheck, stop }) {
          const { run } = await import('./set.js');
          rejectEmptyIssuer(opts.issuer);
          if (opts.clientSecret !== undefined) {
            throw new CortexSsoError(
              'USAGE',
              '--client-secret is not accepted: a secret on the command line lands in shell history and the process list. Pipe it in with --client-secret-stdin or set CORTEX_SSO_CLIENT_SECRET (and consider rotating the one you typed, in Okta).',
            );
          }
          const deps = await f.connectorDeps(opts.input === false);
          // The spinner starts with the first check, after any prompts, and stops before the push question.
          const reviewRenderer = deps.interactive
            ? (await import('../../report/connector.js')).renderSetReview
            : undefined;
          const { textOptions } = await import('../../report/output.js');
          return run(
            {
              type: opts.type,
              clientId: opts.clientId,
              issuer: opts.issuer,
              clientSecretStdin: Boolean(opts.clientSecretStdin),
              profile: opts.profile,
              apiUrl: opts.apiUrl,
              tenant: opts.tenant,
              ...networkValues(opts),
              dryRun: Boolean(opts.dryRun),
              force: Boolean(opts.force),
              noStore: opts.store === false,
              yes: Boolean(opts.yes),
            },
            {
              ...deps,
              ...(onCheck ? { onCheck } : {}),
              ...(stop ? { onChecksDone: stop } : {}),
              review: (r) => {
                reviewed = true;
                f.io.stderr.write(`\n${reviewRenderer?.(r, textOptions(f.io, opts)) ?? ''}\n`);
              },
            },
          );
        },
        text: async (result, o) =>
          (await import('../../report/connector.js')).renderSet(result, { ...o, reviewed }),
        exit: okExit,
      }),
    );
}
