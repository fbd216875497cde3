// The entry point: the commander tree, and the ONLY module that reads process.argv/env, writes
// to the real streams and decides exit codes. Every command module is imported lazily inside its
// action, so `--version` and `--help` load nothing but commander.
import { readFileSync } from 'node:fs';
import { Argument, Command, CommanderError, Option } from 'commander';
import type { Code } from './codes.js';
import { registerSandbox } from './commands/sandbox-command.js';
import { CortexSsoError, USAGE_CODES } from './errors.js';
import { canAnimate, colorLevel, type Io } from './io.js';

/** Exit codes, documented in README.md and docs/exit-codes.md. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, INTERRUPTED: 130 } as const;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function toNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) {
      throw new CortexSsoError('USAGE', `${flag} expects a number, got "${value}"`);
    }
    return n;
  };
}

interface Ctx {
  io: Io;
  exitCode: number;
  /** Set once a command has loaded the HTTP layer, so the exit path knows to release its sockets. */
  usedNetwork?: boolean;
  /** The Cortex API's dispatcher for this run (proxy-aware), closed on the way out. */
  apiAgent?: import('undici').Dispatcher;
}

function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text);
}

/** The --json document of an error (docs/json-output.md, "The error document"). */
function writeErrorDocument(
  ctx: Ctx,
  error: { code: string; message: string; detail?: string; advice?: string },
): void {
  write(ctx.io.stdout, `${JSON.stringify({ schemaVersion: 1, ok: false, error }, null, 2)}\n`);
}

/** Print an expected error: one line (plus advice), no stack. With --json, one JSON document too. */
function reportError(ctx: Ctx, err: CortexSsoError, json: boolean): number {
  const { CODES } = codesModule!;
  const info = CODES[err.code as Code];
  const exit = USAGE_CODES.has(err.code) ? EXIT.USAGE : EXIT.FAILED;
  if (json) {
    writeErrorDocument(ctx, {
      code: err.code,
      message: err.message,
      ...(err.detail ? { detail: err.detail } : {}),
      ...(info && err.code !== 'USAGE' ? { advice: info.advice } : {}),
    });
  }
  const lines = [`error: ${err.message}`];
  if (err.detail) lines.push(err.detail);
  if (info && err.code !== 'USAGE' && err.code !== 'INPUT_MISSING') lines.push(`Fix: ${info.advice}`);
  write(ctx.io.stderr, `${lines.join('\n')}\n`);
  return exit;
}

/**
 * Commander quotes stray input back (`unknown option '--token=VALUE'`, `got 1: VALUE`). A stray
 * value may be a pasted secret, and stderr ends up in CI logs: show the flag, never the value.
 */
export function redactUsageError(text: string): string {
  return text
    .replace(/unknown option '(-{1,2}[^'=\s]+)=[^']*'/g, "unknown option '$1=…'")
    .replace(/(Expected \d+ arguments? but got \d+): .*\.$/m, '$1 (values not shown).');
}

let codesModule: typeof import('./codes.js') | undefined;

function buildProgram(ctx: Ctx): Command {
  const program = new Command();
  program
    .name('cortex-sso')
    .description('Set up and debug single sign-on between Okta and Cortex.')
    .version(version(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => write(ctx.io.stdout, s),
      writeErr: (s) => write(ctx.io.stderr, s),
      outputError: (s, w) => w(redactUsageError(s)),
    })
    .exitOverride();

  program.addHelpText(
    'after',
    `
Exit codes:
  0    success (warnings allowed unless --strict)
  1    a check failed, or the operation failed
  2    usage error: unknown flag, missing or malformed input
  130  interrupted (Ctrl+C); nothing half-written

Examples:
  cortex-sso diagnose --issuer https://acme.okta.com
  cortex-sso connector set --type okta
  cortex-sso completion bash > ~/.local/share/bash-completion/completions/cortex-sso

Docs: README.md and docs/ (codes: docs/codes.md, JSON: docs/json-output.md)`,
  );

  checkOptions(
    program
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
    .action(async (opts) => {
      const { run } = await import('./commands/diagnose.js');
      const format = outputFormat(opts);
      const issuers: string[] = opts.issuer ?? [];
      rejectEmptyIssuer(issuers);
      if (issuers.length === 0 && !ctx.io.env.CORTEX_SSO_ISSUER?.trim())
        await assertProfileSaved(ctx, opts.profile);
      const result = await withProgress(ctx, format !== 'text', (onCheck) =>
        run(
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
          { env: ctx.io.env, ...(onCheck ? { onCheck } : {}) },
        ),
      );
      await emitChecks(ctx, format, result, async () => {
        const { renderDiagnose } = await import('./report/text.js');
        return renderDiagnose(result, textOptions(ctx, opts));
      });
      ctx.exitCode = result.ok ? EXIT.OK : EXIT.FAILED;
    });

  addConnectorCommands(program, ctx);
  addOktaCommands(program, ctx);
  addAuthCommands(program, ctx);
  // `sandbox` is defined in commands/sandbox-command.ts; only the process (signals) is handled here.
  registerSandbox(program, ctx, {
    untilStopped: () =>
      new Promise((resolve) => {
        process.removeAllListeners('SIGINT'); // closes its servers first instead of exiting at once
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      }),
    stoppedExitCode: EXIT.INTERRUPTED,
  });

  program
    .command('completion')
    .description('Print the shell completion script for bash, zsh or fish.')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      examples([
        'cortex-sso completion bash > ~/.local/share/bash-completion/completions/cortex-sso',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a zsh expression, printed as is
        'cortex-sso completion zsh > "${fpath[1]}/_cortex-sso"',
        'cortex-sso completion fish > ~/.config/fish/completions/cortex-sso.fish',
        'eval "$(cortex-sso completion bash)"      # this shell only',
      ]),
    )
    .action(async (shell: string) => {
      const { completionScript } = await import('./commands/completion.js');
      write(ctx.io.stdout, completionScript(program, shell as import('./commands/completion.js').Shell));
    });

  return program;
}

/** The `Examples:` block every command's --help ends with. */
function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/** The command tree alone (nothing runs): for completion scripts and the README's command reference. */
export function commandTree(): Command {
  const io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {} };
  return buildProgram({ io, exitCode: EXIT.OK });
}

type Format = 'text' | 'json' | 'junit' | 'github';

function formatOption(): Option {
  return new Option(
    '--format <format>',
    'output: text (default), json, junit (XML test report), github (Actions annotations + job summary)',
  ).choices(['text', 'json', 'junit', 'github']);
}

function outputFormat(opts: { json?: boolean; format?: string }): Format {
  if (opts.json && opts.format !== undefined && opts.format !== 'json') {
    throw new CortexSsoError(
      'USAGE',
      `--json and --format ${opts.format} conflict: give one of them (--json is the same as --format json)`,
    );
  }
  return opts.json ? 'json' : ((opts.format ?? 'text') as Format);
}

/** An empty --issuer "" is a usage error (exit 2), not an issuer that fails its checks. */
function rejectEmptyIssuer(issuers: readonly string[] | string | undefined): void {
  const list = typeof issuers === 'string' ? [issuers] : (issuers ?? []);
  if (list.some((i) => i.trim() === '')) {
    throw new CortexSsoError(
      'USAGE',
      '--issuer is empty: give the Okta issuer, e.g. --issuer https://acme.okta.com (or leave the flag out to use CORTEX_SSO_ISSUER or the profile)',
    );
  }
}

/**
 * A profile named by --profile that was never saved: say so, and list the saved ones, rather than
 * reporting the values the profile would have given as missing. (CORTEX_SSO_PROFILE is left alone:
 * CI sets it once for every step, including the one that saves the profile.)
 */
async function assertProfileSaved(ctx: Ctx, flag: string | undefined): Promise<void> {
  if (!flag?.trim()) return;
  const [{ resolveProfileName, assertKnownProfile }, { openConfigStore }] = await Promise.all([
    import('./config/resolve.js'),
    import('./config/store.js'),
  ]);
  const name = resolveProfileName(flag, ctx.io.env);
  assertKnownProfile(name, openConfigStore({ env: { ...ctx.io.env } }).listProfiles());
}

/** Print a checklist result in the chosen format. Only here does a job summary file get written. */
async function emitChecks(
  ctx: Ctx,
  format: Format,
  result: import('./result.js').DiagnoseResult,
  text: () => Promise<string>,
): Promise<void> {
  if (format === 'json' || format === 'text') return emit(ctx, format === 'json', result, text);
  if (format === 'junit') {
    const { renderJunit } = await import('./report/junit.js');
    write(ctx.io.stdout, renderJunit(result));
    return;
  }
  const { renderGithubAnnotations, renderGithubSummary } = await import('./report/github.js');
  write(ctx.io.stdout, renderGithubAnnotations(result) + (await text()));
  const summaryFile = ctx.io.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) {
    const { appendFileSync } = await import('node:fs');
    appendFileSync(summaryFile, renderGithubSummary(result));
  }
}

type OnCheck = (issuerInput: string, result: import('./result.js').CheckResult) => void;

/** Run `fn` with a spinner on stderr when a person watches a terminal (never in CI or with --json). */
async function withProgress<T>(
  ctx: Ctx,
  quiet: boolean,
  fn: (onCheck?: OnCheck, stop?: () => void) => Promise<T>,
): Promise<T> {
  ctx.usedNetwork = true;
  if (quiet || !canAnimate(ctx.io)) return fn();
  const { default: ora } = await import('ora');
  const spinner = ora({
    text: 'Checking…',
    stream: ctx.io.stderr as NodeJS.WriteStream,
    discardStdin: false,
  });
  let count = 0;
  let started = false;
  const onCheck: OnCheck = (_issuer, r) => {
    count += 1;
    if (!started) {
      started = true;
      spinner.start();
    }
    spinner.text = `Checking… ${count} steps done (last: ${r.id} ${r.status})`;
  };
  try {
    // `stop` lets a command end the spinner before it asks a question.
    return await fn(onCheck, () => spinner.stop());
  } finally {
    spinner.stop();
  }
}

function textOptions(ctx: Ctx, opts: { verbose?: boolean }): { color: 0 | 1 | 2 | 3; verbose: boolean } {
  return { color: colorLevel(ctx.io), verbose: Boolean(opts.verbose) };
}

/** Print a result: the JSON document with --json, else the text renderer's output. */
async function emit(ctx: Ctx, json: boolean, result: unknown, text: () => Promise<string>): Promise<void> {
  if (json) {
    const { renderJson } = await import('./report/json.js');
    // Every --json document carries the schema version first, so scripts can check it.
    const doc =
      typeof result === 'object' && result !== null && !('schemaVersion' in result)
        ? { schemaVersion: 1, ...result }
        : result;
    write(ctx.io.stdout, renderJson(doc));
  } else {
    write(ctx.io.stdout, await text());
  }
}

async function connectorDeps(
  ctx: Ctx,
  noInput: boolean,
): Promise<import('./commands/connector/shared.js').ConnectorDeps> {
  ctx.usedNetwork = true;
  const [
    { createOsKeychain },
    { openConfigStore },
    { createPrompter },
    { createCortexClient },
    { canPrompt },
  ] = await Promise.all([
    import('./secrets/keychain.js'),
    import('./config/store.js'),
    import('./prompter.js'),
    import('./cortex/client.js'),
    import('./io.js'),
  ]);
  const { EnvHttpProxyAgent } = await import('undici');
  return {
    io: ctx.io,
    keychain: createOsKeychain({ env: { ...ctx.io.env } }),
    config: openConfigStore({ env: { ...ctx.io.env } }),
    prompter: createPrompter(ctx.io),
    interactive: canPrompt(ctx.io, noInput),
    // The API honours HTTP(S)_PROXY / NO_PROXY like the issuer checks: corporate networks reach
    // api.getcortexapp.com only through their proxy.
    createClient: (baseUrl, token) =>
      createCortexClient({ baseUrl, token, dispatcher: apiDispatcher(ctx, EnvHttpProxyAgent) }),
  };
}

/** One proxy-aware dispatcher per run, from the command's environment (not process.env). */
function apiDispatcher(
  ctx: Ctx,
  EnvHttpProxyAgent: typeof import('undici').EnvHttpProxyAgent,
): import('undici').Dispatcher {
  if (!ctx.apiAgent) {
    const env = ctx.io.env;
    const http = env.http_proxy ?? env.HTTP_PROXY;
    const https = env.https_proxy ?? env.HTTPS_PROXY ?? http;
    const no = env.no_proxy ?? env.NO_PROXY;
    // '' (not undefined) means "no proxy": undici would otherwise fall back to process.env.
    ctx.apiAgent = new EnvHttpProxyAgent({
      httpProxy: http ?? '',
      httpsProxy: https ?? '',
      ...(no ? { noProxy: no } : {}),
    });
  }
  return ctx.apiAgent;
}

const PROFILE_OPTION = () =>
  new Option('--profile <name>', 'profile to use (env CORTEX_SSO_PROFILE, default "default")');
const API_URL_OPTION = () =>
  new Option(
    '--api-url <url>',
    'Cortex API base URL (env CORTEX_BASE_URL, else base_url in ~/.cortex/config; default https://api.getcortexapp.com)',
  );
const TENANT_OPTION = () =>
  new Option(
    '--tenant <alias>',
    'section of Cortex CLI\'s config (~/.cortex/config) to take the API key from (env CORTEX_TENANT_ALIAS, default "default")',
  );

/** The options of the issuer checklist, shared by diagnose, connector set and connector verify. */
function checkOptions(cmd: Command): Command {
  return cmd
    .option('--ca-file <pem>', 'extra trusted CA certificates (PEM), e.g. a corporate TLS-inspection root')
    .option(
      '--proxy <url>',
      'HTTP proxy for the issuer checks (default: HTTPS_PROXY / HTTP_PROXY / NO_PROXY)',
    )
    .addOption(
      new Option('--timeout <seconds>', 'timeout for each network step')
        .argParser(toNumber('--timeout'))
        .default(10),
    )
    .addOption(
      new Option('--warn-days <n>', 'warn when the certificate expires within n days')
        .argParser(toNumber('--warn-days'))
        .default(30),
    )
    .option(
      '--allow-http-loopback',
      'allow a plain-http issuer on a loopback address (local test providers)',
    );
}

/** checkOptions plus the redirect URI the verify probes use. */
function networkOptions(cmd: Command): Command {
  return checkOptions(
    cmd.option(
      '--redirect-uri <url>',
      'redirect URI Cortex uses (default https://cortexapp.auth0.com/login/callback)',
    ),
  );
}

/** The values of the options added by networkOptions(), as the command modules name them. */
function networkValues(opts: Record<string, unknown>) {
  return {
    redirectUri: opts.redirectUri as string | undefined,
    caFile: opts.caFile as string | undefined,
    proxy: opts.proxy as string | undefined,
    timeoutSeconds: opts.timeout as number,
    warnDays: opts.warnDays as number,
    allowHttpLoopback: Boolean(opts.allowHttpLoopback),
  };
}

function addConnectorCommands(program: Command, ctx: Ctx): void {
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

  networkOptions(
    connector
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
      .addOption(PROFILE_OPTION())
      .addOption(API_URL_OPTION())
      .addOption(TENANT_OPTION())
      .option('--dry-run', 'show what would change and run the pre-flight; change nothing')
      .option('--force', 'push even if the pre-flight fails or the connector changed meanwhile (dangerous)')
      .option('--no-store', 'push, but keep no copy of the secret in the OS keychain (CI)')
      .option('-y, --yes', 'do not ask for confirmation before pushing')
      .option('--no-input', 'never prompt; fail listing what is missing')
      .addOption(new Option('--client-secret <secret>').hideHelp()),
  )
    .option('--json', 'print one JSON document')
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
    .action(async (opts) => {
      const { run } = await import('./commands/connector/set.js');
      const json = Boolean(opts.json);
      rejectEmptyIssuer(opts.issuer);
      if (opts.clientSecret !== undefined) {
        throw new CortexSsoError(
          'USAGE',
          '--client-secret is not accepted: a secret on the command line lands in shell history and the process list. Pipe it in with --client-secret-stdin or set CORTEX_SSO_CLIENT_SECRET (and consider rotating the one you typed, in Okta).',
        );
      }
      const deps = await connectorDeps(ctx, opts.input === false);
      // The spinner starts with the first check, after any prompts, and stops before the push question.
      let reviewed = false;
      const reviewRenderer = deps.interactive
        ? (await import('./report/connector.js')).renderSetReview
        : undefined;
      const result = await withProgress(ctx, json, (onCheck, stop) =>
        run(
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
              write(ctx.io.stderr, `\n${reviewRenderer?.(r, textOptions(ctx, opts)) ?? ''}\n`);
            },
          },
        ),
      );
      await emit(ctx, json, result, async () => {
        const { renderSet } = await import('./report/connector.js');
        return renderSet(result, { ...textOptions(ctx, opts), reviewed });
      });
      ctx.exitCode = result.ok ? EXIT.OK : EXIT.FAILED;
    });

  connector
    .command('show')
    .description(
      "Show the profile's settings and the connection Cortex holds side by side; flag drift (exit 1 on drift or when Cortex cannot be read).",
    )
    .addOption(PROFILE_OPTION())
    .addOption(API_URL_OPTION())
    .addOption(TENANT_OPTION())
    .option('--json', 'print one JSON document')
    .addHelpText(
      'after',
      examples(['cortex-sso connector show', 'cortex-sso connector show --profile staging --json']),
    )
    .action(async (opts) => {
      const { run } = await import('./commands/connector/show.js');
      const result = await run(
        { profile: opts.profile, apiUrl: opts.apiUrl, tenant: opts.tenant },
        await connectorDeps(ctx, true),
      );
      await emit(ctx, Boolean(opts.json), result, async () => {
        const { renderShow } = await import('./report/connector.js');
        return renderShow(result, textOptions(ctx, opts));
      });
      ctx.exitCode = result.ok ? EXIT.OK : EXIT.FAILED;
    });

  networkOptions(
    connector
      .command('verify')
      .description(
        'Run the diagnose checklist for the saved issuer, then check the credentials and the redirect URI without a user.',
      )
      .addOption(PROFILE_OPTION())
      .option('--client-id <id>', 'override the saved client ID (env CORTEX_SSO_CLIENT_ID)')
      .option('--issuer <url>', 'override the saved issuer (env CORTEX_SSO_ISSUER)')
      .addOption(API_URL_OPTION())
      .addOption(TENANT_OPTION()),
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
    .action(async (opts) => {
      const { run } = await import('./commands/connector/verify.js');
      const format = outputFormat(opts);
      rejectEmptyIssuer(opts.issuer);
      const env = ctx.io.env;
      if (!(opts.issuer ?? env.CORTEX_SSO_ISSUER) || !(opts.clientId ?? env.CORTEX_SSO_CLIENT_ID)) {
        await assertProfileSaved(ctx, opts.profile);
      }
      const deps = await connectorDeps(ctx, true);
      const result = await withProgress(ctx, format !== 'text', (onCheck) =>
        run(
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
        ),
      );
      await emitChecks(ctx, format, result, async () => {
        const { renderVerify } = await import('./report/connector.js');
        return renderVerify(result, textOptions(ctx, opts));
      });
      ctx.exitCode = result.ok ? EXIT.OK : EXIT.FAILED;
    });

  connector
    .command('delete')
    .description(
      "Delete the profile's connection in Cortex by its id (asks first), then the local secret. Never deletes all.",
    )
    .addOption(PROFILE_OPTION())
    .addOption(API_URL_OPTION())
    .addOption(TENANT_OPTION())
    .option('--connection-id <id>', "delete this connection instead of the profile's (see `connector show`)")
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .option('--json', 'print one JSON document')
    .addHelpText(
      'after',
      examples(['cortex-sso connector delete', 'cortex-sso connector delete --profile staging --yes --json']),
    )
    .action(async (opts) => {
      const { run } = await import('./commands/connector/delete.js');
      const result = await run(
        {
          profile: opts.profile,
          apiUrl: opts.apiUrl,
          tenant: opts.tenant,
          ...(opts.connectionId !== undefined ? { connectionId: opts.connectionId } : {}),
          yes: Boolean(opts.yes),
        },
        await connectorDeps(ctx, false),
      );
      await emit(ctx, Boolean(opts.json), result, async () => {
        const { renderDelete } = await import('./report/connector.js');
        return renderDelete(result, textOptions(ctx, opts));
      });
    });
}

function addOktaCommands(program: Command, ctx: Ctx): void {
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
  networkOptions(
    okta
      .command('audit')
      .description(
        "Read the Okta app and its authorization server's access policies; name every setting that would lock users out.",
      )
      .addOption(PROFILE_OPTION())
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
    .action(async (opts) => {
      const { run } = await import('./commands/okta/audit.js');
      const format = outputFormat(opts);
      const deps = await authDeps(ctx);
      const result = await withProgress(ctx, format !== 'text', (onCheck) =>
        run(
          {
            profile: opts.profile,
            clientId: opts.clientId,
            issuer: opts.issuer,
            ...networkValues(opts),
            strict: Boolean(opts.strict),
          },
          { io: ctx.io, keychain: deps.keychain, config: deps.config, ...(onCheck ? { onCheck } : {}) },
        ),
      );
      await emitChecks(ctx, format, result, async () => {
        const { renderDiagnose, painter } = await import('./report/text.js');
        const c = painter(colorLevel(ctx.io));
        const head = c.bold(
          `Okta audit of app ${result.clientId} (profile "${result.profile}", redirect URI ${result.redirectUri})`,
        );
        return `${head}\n\n${renderDiagnose(result, textOptions(ctx, opts))}`;
      });
      ctx.exitCode = result.ok ? EXIT.OK : EXIT.FAILED;
    });
}

async function authDeps(ctx: Ctx, noInput = false): Promise<import('./commands/auth/login.js').AuthDeps> {
  const [{ createOsKeychain }, { openConfigStore }, { createPrompter }, { isCi }] = await Promise.all([
    import('./secrets/keychain.js'),
    import('./config/store.js'),
    import('./prompter.js'),
    import('./io.js'),
  ]);
  return {
    keychain: createOsKeychain({ env: { ...ctx.io.env } }),
    config: openConfigStore({ env: { ...ctx.io.env } }),
    env: { ...ctx.io.env },
    stdin: ctx.io.stdin,
    prompter: createPrompter(ctx.io),
    // Prompts draw on stderr, so stdout may be a pipe (--json) while a person types the token.
    interactive: !noInput && !isCi(ctx.io.env) && Boolean(ctx.io.stdin.isTTY && ctx.io.stderr.isTTY),
  };
}

const OKTA_TOKEN_OPTION = () =>
  new Option('--okta', 'the read-only Okta API token (for `okta audit`) instead of the Cortex API token');

function addAuthCommands(program: Command, ctx: Ctx): void {
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
  auth
    .command('login')
    .description(
      'Store a Cortex API key (or with --okta the Okta API token) in the OS keychain: asked for (masked) at a terminal, or read from a pipe with --with-token.',
    )
    .option('--with-token', 'read the token from stdin when it is a pipe (never pass a token as a flag)')
    .addOption(OKTA_TOKEN_OPTION())
    .addOption(PROFILE_OPTION())
    .option('--no-input', 'never prompt; with stdin at a terminal, fail instead of asking')
    .option('--json', 'print one JSON document')
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
    .action(async (opts) => {
      const m = await import('./commands/auth/login.js');
      const result = await m.run(
        { profile: opts.profile, withToken: Boolean(opts.withToken), okta: Boolean(opts.okta) },
        await authDeps(ctx, opts.input === false),
      );
      await emit(ctx, Boolean(opts.json), result, async () => `${m.formatText(result)}\n`);
    });
  auth
    .command('status')
    .description(
      'Say where the API key comes from (CORTEX_API_KEY, the keychain, or ~/.cortex/config); exit 1 when there is none.',
    )
    .addOption(OKTA_TOKEN_OPTION())
    .addOption(PROFILE_OPTION())
    .addOption(TENANT_OPTION())
    .option('--json', 'print one JSON document')
    .addHelpText(
      'after',
      examples(['cortex-sso auth status', 'cortex-sso auth status --profile staging --json']),
    )
    .action(async (opts) => {
      const m = await import('./commands/auth/status.js');
      const result = await m.run(
        { profile: opts.profile, tenant: opts.tenant, okta: Boolean(opts.okta) },
        await authDeps(ctx),
      );
      await emit(ctx, Boolean(opts.json), result, async () => `${m.formatText(result)}\n`);
      ctx.exitCode = result.source === 'none' ? EXIT.FAILED : EXIT.OK;
    });
  auth
    .command('logout')
    .description('Remove the API token (or with --okta the Okta API token) from the keychain.')
    .addOption(OKTA_TOKEN_OPTION())
    .addOption(PROFILE_OPTION())
    .option('--json', 'print one JSON document')
    .addHelpText('after', examples(['cortex-sso auth logout', 'cortex-sso auth logout --profile staging']))
    .action(async (opts) => {
      const m = await import('./commands/auth/logout.js');
      const result = await m.run({ profile: opts.profile, okta: Boolean(opts.okta) }, await authDeps(ctx));
      await emit(ctx, Boolean(opts.json), result, async () => `${m.formatText(result)}\n`);
    });
}

/** The --format value given on the command line, if any (also as --format=VALUE). */
function formatArg(argv: readonly string[]): string | undefined {
  let found: string | undefined;
  argv.forEach((a, i) => {
    if (a === '--format') found = argv[i + 1];
    else if (a.startsWith('--format=')) found = a.slice('--format='.length);
  });
  return found;
}

function wantsJson(argv: readonly string[]): boolean {
  return argv.includes('--json') || formatArg(argv) === 'json';
}

/** Under --format junit an error is still a valid JUnit document: one failing test case, typed by code. */
async function writeJunitError(
  ctx: Ctx,
  argv: readonly string[],
  error: { code: string; message: string; detail?: string; advice?: string },
): Promise<void> {
  if (argv.includes('--json') || formatArg(argv) !== 'junit') return;
  const { renderJunit } = await import('./report/junit.js');
  const firstFlag = argv.findIndex((a) => a.startsWith('-'));
  const words = (firstFlag === -1 ? argv : argv.slice(0, firstFlag)).slice(0, 2);
  const command = ['cortex-sso', ...words.filter((a) => /^[a-z]+$/.test(a))].join(' ');
  write(
    ctx.io.stdout,
    renderJunit(
      {
        schemaVersion: 1,
        ok: false,
        results: [
          {
            issuer: command,
            input: '',
            ok: false,
            checks: [
              {
                id: error.code === 'USAGE' ? 'usage' : 'run',
                status: 'fail',
                code: error.code as Code,
                title: error.message,
                ...(error.detail ? { detail: error.detail } : {}),
                ...(error.advice ? { advice: error.advice } : {}),
                durationMs: 0,
              },
            ],
          },
        ],
      },
      command,
    ),
  );
}

/** Run the CLI with the given arguments (without node and script) and streams; returns the exit code. */
export async function run(args: readonly string[], io: Io): Promise<number> {
  const ctx: Ctx = { io, exitCode: EXIT.OK };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    return await handleError(ctx, args, err);
  } finally {
    // Release keep-alive sockets so the process exits as soon as the work is done.
    if (ctx.usedNetwork) await (await import('./net/dispatcher.js')).closeAll();
    await ctx.apiAgent?.close();
  }
}

async function handleError(ctx: Ctx, args: readonly string[], err: unknown): Promise<number> {
  const io = ctx.io;
  if (err instanceof CommanderError) {
    if (
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
    ) {
      return EXIT.OK;
    }
    // Commander already printed its one-line message; with --json, scripts get the error document too.
    const usage = { code: 'USAGE', message: redactUsageError(err.message).replace(/^error: /, '') };
    if (err.exitCode !== 0 && wantsJson(args)) writeErrorDocument(ctx, usage);
    if (err.exitCode !== 0) await writeJunitError(ctx, args, usage);
    return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
  codesModule ??= await import('./codes.js');
  if (err instanceof CortexSsoError) {
    const info = codesModule.CODES[err.code as Code];
    await writeJunitError(ctx, args, {
      code: err.code,
      message: err.message,
      ...(err.detail ? { detail: err.detail } : {}),
      ...(info && err.code !== 'USAGE' ? { advice: info.advice } : {}),
    });
    return reportError(ctx, err, wantsJson(args));
  }
  // @inquirer throws ExitPromptError on Ctrl+C inside a prompt.
  if (err instanceof Error && err.name === 'ExitPromptError') {
    write(io.stderr, 'cancelled: nothing was changed\n');
    return EXIT.INTERRUPTED;
  }
  const e = new CortexSsoError('INTERNAL', err instanceof Error ? err.message : String(err));
  if (io.env.CORTEX_SSO_DEBUG && err instanceof Error && err.stack) write(io.stderr, `${err.stack}\n`);
  await writeJunitError(ctx, args, {
    code: e.code,
    message: e.message,
    advice: codesModule.CODES.INTERNAL.advice,
  });
  return reportError(ctx, e, wantsJson(args));
}

/** The process entry point used by bin/cortex-sso.js. */
export async function main(): Promise<void> {
  const io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
  process.on('SIGINT', () => {
    process.stderr.write('\ninterrupted\n');
    process.exit(EXIT.INTERRUPTED);
  });
  process.exitCode = await run(process.argv.slice(2), io);
}
