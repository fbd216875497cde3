// `cortex-sso diagnose`: its declaration; the work is in ./diagnose.ts, loaded when it runs.
import { type Command, Option } from 'commander';
import type { Factory } from '../factory.js';
import { action, type Opts, okExit } from './action.js';
import { assertProfileSaved, checkOptions, collect, formatOption, rejectEmptyIssuer } from './options.js';

export function define(parent: Command, f: Factory): Command {
  return checkOptions(
    parent
      .command('diagnose')
      .description(
        'Check that an Okta issuer is reachable and sound, layer by layer (DNS, TCP, TLS, certificate, discovery, JWKS, clock, proxy).',
      )
      .addOption(new Option('--issuer <url>', 'issuer to check; repeat for several').argParser(collect)),
  )
    .option('--strict', 'treat warnings (e.g. TLS inspection, clock skew) as failures')
    .option('--json', 'print one JSON document (schema: docs/json-output.md); same as --format json')
    .addOption(formatOption())
    .option(
      '--profile <name>',
      'with no --issuer: check the issuer saved in this profile (env CORTEX_SSO_PROFILE)',
    )
    .option('--verbose', 'show details of passing checks too')
    .addHelpText(
      'after',
      `
With no --issuer, checks CORTEX_SSO_ISSUER, else the issuer saved by \`connector set\` in the profile.

Examples:
  cortex-sso diagnose --issuer https://acme.okta.com
  cortex-sso diagnose --issuer https://acme.okta.com/oauth2/default --json
  cortex-sso diagnose --issuer acme.okta.com --issuer acme.oktapreview.com --strict
  cortex-sso diagnose --issuer https://acme.okta.com --format junit > sso-junit.xml
  cortex-sso diagnose --format github          # GitHub Actions annotations + job summary`,
    )
    .action(
      action(f, {
        progress: true,
        async run(opts: Opts, { onCheck }) {
          const { run } = await import('./diagnose.js');
          const issuers: string[] = opts.issuer ?? [];
          rejectEmptyIssuer(issuers);
          if (issuers.length === 0 && !f.io.env.CORTEX_SSO_ISSUER?.trim())
            await assertProfileSaved(f, opts.profile);
          return run(
            {
              issuers,
              ...(opts.profile ? { profile: opts.profile } : {}),
              caFile: opts.caFile,
              proxy: opts.proxy,
              timeoutSeconds: opts.timeout,
              warnDays: opts.warnDays,
              strict: Boolean(opts.strict),
              allowHttpLoopback: Boolean(opts.allowHttpLoopback),
            },
            { env: f.io.env, ...(onCheck ? { onCheck } : {}) },
          );
        },
        text: async (result, o) => (await import('../report/text.js')).renderDiagnose(result, o),
        exit: okExit,
      }),
    );
}
