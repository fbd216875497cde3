// The command tree: one line per command. A new command is a new `*.command.ts` file (its commander
// declaration + an action through ./action.ts) and one line here. Definitions load only commander
// and light modules; each command's work loads inside its action, so `--help` stays cheap.
import type { Command } from 'commander';
import type { Factory } from '../factory.js';
import * as authLogin from './auth/login.command.js';
import * as authLogout from './auth/logout.command.js';
import * as authStatus from './auth/status.command.js';
import * as completion from './completion.command.js';
import * as connectorDelete from './connector/delete.command.js';
import * as connectorSet from './connector/set.command.js';
import * as connectorShow from './connector/show.command.js';
import * as connectorVerify from './connector/verify.command.js';
import * as diagnose from './diagnose.command.js';
import * as oktaAudit from './okta/audit.command.js';
import { examples } from './options.js';
import * as sandbox from './sandbox.command.js';

export function addCommands(program: Command, f: Factory): void {
  diagnose.define(program, f);

  const connector = program
    .command('connector')
    .description("Configure the workspace's OpenID connector in Cortex (sign-in through Okta).")
    .addHelpText(
      'after',
      examples([
        'cortex-sso connector set --type okta',
        'cortex-sso connector show',
        'cortex-sso connector verify --strict',
        'cortex-sso connector delete --yes',
      ]),
    );
  connectorSet.define(connector, f);
  connectorShow.define(connector, f);
  connectorVerify.define(connector, f);
  connectorDelete.define(connector, f);

  const okta = program
    .command('okta')
    .description('Check the Okta side with a read-only Okta API token (never changes anything in Okta).')
    .addHelpText(
      'after',
      examples([
        'cortex-sso okta audit',
        'OKTA_API_TOKEN=... cortex-sso okta audit --format junit > okta.xml',
      ]),
    );
  oktaAudit.define(okta, f);

  const auth = program
    .command('auth')
    .description('Manage the Cortex API key and the read-only Okta API token (kept in the OS keychain).')
    .addHelpText(
      'after',
      examples([
        'cortex-sso auth login',
        'cortex-sso auth status',
        'cortex-sso auth login --okta',
        'cortex-sso auth logout',
      ]),
    );
  authLogin.define(auth, f);
  authStatus.define(auth, f);
  authLogout.define(auth, f);

  sandbox.define(program, f);
  completion.define(program, f);
}
