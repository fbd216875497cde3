// `npm run demo`: the README's "try it". Starts a local Okta-like issuer and broken look-alikes on
// loopback, runs the real, built CLI against each (`node bin/cortex-sso.js diagnose ...`, as a child
// process), prints what a user would see, and checks every run against its expected exit code and codes.
// Then (on Linux) the connector lifecycle against the project's reference Cortex API: a wrong secret
// refused by the pre-flight, a dry run, the push, show, verify, an app without Cortex's redirect URI.
// Exits 1 when any run differs, so CI (which runs `npm run demo`) catches a broken demo.
// Plain `node` runs this file (type stripping): erasable TypeScript, `.ts` imports, no src/ imports
// (src/ uses `.js` specifiers): the reference API and the Okta-like issuer (the code of
// `cortex-sso sandbox`) come from the built dist/, typed from src/ by a type-only `import()` that type
// stripping erases.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters, styleText } from 'node:util';
import { type CliResult, runCli, tempDir, writeTemp } from '../test/support/cli.ts';
import { startDnsServer } from '../test/support/dns-server.ts';
import { startHttpFixtures } from '../test/support/http-fixtures.ts';
import { createTestPki } from '../test/support/pki.ts';
import {
  createCertScenarios,
  freePort,
  startOldTlsServer,
  startPlainHttpServer,
  startTlsServer,
} from '../test/support/tls-servers.ts';

/** Each network step of every run gives up after this many seconds: keeps the demo quick. */
const TIMEOUT = '3';
/** A run that takes longer than this is killed and counts as a mismatch (a hang is a failure). */
const RUN_LIMIT_MS = 30_000;

// The connector part: an Okta app as a user would have it (client ID, 40-character secret), and a second
// app whose only redirect URI is not Cortex's. Random secrets and token, so the leak check can find them.
const APP_CLIENT_ID = '0oa1a2b3c4d5e6f7g8h9';
const OTHER_CLIENT_ID = '0oa9z8y7x6w5v4u3t2s1';
const SECRET = randomBytes(30).toString('base64url');
const WRONG_SECRET = randomBytes(30).toString('base64url');
const OTHER_SECRET = randomBytes(30).toString('base64url');
const API_TOKEN = `demo-${randomBytes(24).toString('hex')}`;
const CORTEX_CALLBACK = 'https://cortexapp.auth0.com/login/callback';
/** No D-Bus there, so no Secret Service: the demo can never read or write the user's keychain. */
const NO_KEYCHAIN_BUS = 'unix:path=/nonexistent/cortex-sso-demo';
/** Values that never appear in any output; in printed command lines they are these variables. */
const SECRETS: Record<string, string> = {
  [SECRET]: '$SECRET',
  [WRONG_SECRET]: '$WRONG_SECRET',
  [OTHER_SECRET]: '$OTHER_SECRET',
  [API_TOKEN]: '$DEMO_TOKEN',
};

interface Scenario {
  /** Short name for the header and the summary. */
  name: string;
  /** One line: what this run shows. */
  explain: string;
  /** The subcommand; default `diagnose`. */
  command?: string[];
  /** Arguments after the subcommand (the demo appends --timeout unless noTimeout). */
  args: string[];
  noTimeout?: boolean;
  /** Extra environment for the child, shown in the header as VAR=value. */
  env?: Record<string, string>;
  /** Environment for the child that was shown once as `export` lines, not in the header. */
  exported?: Record<string, string>;
  /** Piped to the child's stdin; the header shows `printf %s "$VAR" |` (it is always a secret). */
  stdin?: string;
  expectExit: number;
  /** Exactly the codes the output must carry (warnings and failures); [] for none. */
  expectCodes: string[];
  /** Text the output (stdout and stderr, uncoloured) must contain. */
  expectText?: Array<string | RegExp>;
  /** Further checks after the run (e.g. of the reference API's state); returns the problems. */
  after?: () => string[];
  /** Print only the lines naming a code plus the summary line (the full output was shown just before). */
  excerpt?: string;
}

// Colours: the CLI's and ours, only when a person watches a terminal (and has not asked for none).
const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
type Style = Parameters<typeof styleText>[0];
const paint = (style: Style, s: string): string =>
  color ? styleText(style, s, { validateStream: false }) : s;
const childColorEnv: Record<string, string | undefined> = color
  ? { FORCE_COLOR: process.env.FORCE_COLOR ?? '1', NO_COLOR: undefined }
  : { NO_COLOR: '1', FORCE_COLOR: undefined };

/** Header rule width: the terminal's, at most 100 columns. */
const width = Math.min(process.stdout.columns || 80, 100);
/** Everything printed, for the leak check at the end. */
const transcript: string[] = [];
const write = (s: string): void => {
  transcript.push(s);
  process.stdout.write(s);
};
const out = (s = ''): void => {
  write(`${s}\n`);
};

/** Everything started, closed in reverse order at the end or on error. */
const closers: Array<() => Promise<void>> = [];
let cleanedUp = false;
async function cleanup(): Promise<void> {
  if (cleanedUp) return;
  cleanedUp = true;
  const list = closers.splice(0).reverse();
  await Promise.allSettled(list.map((close) => close()));
}

function codesInText(text: string): string[] {
  return [
    ...new Set([...stripVTControlCharacters(text).matchAll(/\[([A-Z][A-Z0-9_]+)\]/g)].map((m) => m[1] ?? '')),
  ];
}

function codesInJson(text: string): { codes: string[]; ok: unknown } | undefined {
  try {
    const doc = JSON.parse(text) as {
      ok?: unknown;
      results?: Array<{ checks?: Array<{ code?: unknown }> }>;
      error?: { code?: unknown };
    };
    const codes = (doc.results ?? [])
      .flatMap((r) => r.checks ?? [])
      .map((c) => c.code)
      .filter((c): c is string => typeof c === 'string');
    if (typeof doc.error?.code === 'string') codes.push(doc.error.code);
    return { codes: [...new Set(codes)], ok: doc.ok };
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  out(paint('bold', 'cortex-sso demo'));
  out(
    'A local Okta-like issuer and broken look-alikes on 127.0.0.1; every command below runs the real, built CLI.',
  );
  const withConnector = process.platform === 'linux';
  out(
    paint(
      'dim',
      `Setting up: test PKI, OpenID provider, failure fixtures, loopback DNS server${withConnector ? ', reference Cortex API' : ''}...`,
    ),
  );

  const pki = await createTestPki('cortex-sso Demo Root CA');
  const dir = tempDir('cortex-sso-demo-');
  closers.push(async () => rmSync(dir, { recursive: true, force: true }));
  const caFile = writeTemp(dir, 'root.pem', pki.root.certPem);

  // The Okta-like issuer of `cortex-sso sandbox` (src/sandbox/issuer.ts, from the build), here with
  // the demo PKI's certificate and two apps.
  const issuerModule = new URL('../dist/sandbox/issuer.js', import.meta.url).href;
  const { startIssuer } = (await import(issuerModule)) as typeof import('../src/sandbox/issuer.ts');
  const issuer = await startIssuer({
    tls: pki.leaf,
    path: '/oauth2/default',
    clients: [
      // The app Cortex signs in through: Cortex's callback registered.
      { clientId: APP_CLIENT_ID, clientSecret: SECRET, redirectUris: [CORTEX_CALLBACK] },
      // An app set up for something else: Cortex's callback missing.
      {
        clientId: OTHER_CLIENT_ID,
        clientSecret: OTHER_SECRET,
        redirectUris: ['https://cortex.example.com/oauth2/callback'],
      },
    ],
  });
  closers.push(issuer.close);
  const certs = await createCertScenarios(pki);
  const expired = await startTlsServer(certs.expired);
  closers.push(expired.close);
  const noIntermediate = await startTlsServer(certs.missingIntermediate);
  closers.push(noIntermediate.close);
  const plain = await startPlainHttpServer();
  closers.push(plain.close);
  const oldTls = await startOldTlsServer(pki.leaf);
  closers.push(oldTls.close);
  const fixtures = await startHttpFixtures({ tls: pki.leaf });
  closers.push(fixtures.close);
  // Answers NXDOMAIN for every name: stands in for the machine's resolver, so no run needs the network.
  const dns = await startDnsServer({});
  closers.push(dns.close);
  const refusedPort = await freePort();

  const publicCa = { CORTEX_SSO_PUBLIC_CA_FILE: caFile };
  const scenarios: Scenario[] = [
    {
      name: 'healthy issuer',
      explain:
        'An Okta-like custom authorization server; the demo CA plays a public root. Every layer passes.',
      args: ['--issuer', issuer.issuer],
      env: publicCa,
      expectExit: 0,
      expectCodes: [],
    },
    {
      name: 'TLS inspection',
      explain:
        'The same issuer, trusted only through --ca-file: what a TLS-inspecting proxy looks like. A warning, exit 0.',
      args: ['--issuer', issuer.issuer, '--ca-file', caFile],
      expectExit: 0,
      expectCodes: ['CERT_PRIVATE_ROOT'],
    },
    {
      name: 'TLS inspection, --strict',
      explain: 'With --strict (for CI) the same warning is a failure: exit 1.',
      args: ['--issuer', issuer.issuer, '--ca-file', caFile, '--strict'],
      expectExit: 1,
      expectCodes: ['CERT_PRIVATE_ROOT'],
      excerpt: 'the lines that changed; the rest is as above',
    },
    {
      name: 'admin console URL',
      explain: 'The admin console host pasted as the issuer: caught from the URL alone, no network access.',
      args: ['--issuer', 'https://acme-admin.okta.com'],
      expectExit: 1,
      expectCodes: ['ISSUER_ADMIN_DOMAIN'],
    },
    {
      name: 'unknown host name',
      explain: 'A name that does not exist (.invalid never does), asked of a loopback DNS server.',
      args: ['--issuer', 'https://acme.okta.invalid'],
      env: { CORTEX_SSO_DNS_SERVERS: dns.address },
      expectExit: 1,
      expectCodes: ['DNS_NOT_FOUND'],
    },
    {
      name: 'connection refused',
      explain: 'Nothing listens on the port.',
      args: ['--issuer', `https://localhost:${refusedPort}`],
      expectExit: 1,
      expectCodes: ['TCP_REFUSED'],
    },
    {
      name: 'not TLS',
      explain: 'A plain-HTTP listener where HTTPS is expected.',
      args: ['--issuer', `https://localhost:${plain.port}`],
      expectExit: 1,
      expectCodes: ['TLS_NOT_TLS'],
    },
    {
      name: 'old TLS',
      explain: 'A server (or middlebox) that only speaks TLS 1.0/1.1.',
      args: ['--issuer', `https://localhost:${oldTls.port}`],
      expectExit: 1,
      expectCodes: ['TLS_PROTOCOL_TOO_OLD'],
    },
    {
      name: 'expired certificate',
      explain: 'A custom domain whose certificate expired yesterday.',
      args: ['--issuer', `https://localhost:${expired.port}`],
      env: publicCa,
      expectExit: 1,
      expectCodes: ['CERT_EXPIRED'],
    },
    {
      name: 'missing intermediate',
      explain: 'A server that sends its leaf certificate without the intermediate.',
      args: ['--issuer', `https://localhost:${noIntermediate.port}`],
      env: publicCa,
      expectExit: 1,
      expectCodes: ['CERT_CHAIN_INCOMPLETE'],
    },
    {
      name: 'issuer mismatch',
      explain:
        'The discovery document names the issuer with a trailing slash; OpenID clients compare exactly.',
      args: ['--issuer', fixtures.issuer('issuer-slash')],
      env: publicCa,
      expectExit: 1,
      expectCodes: ['DISCOVERY_ISSUER_MISMATCH'],
    },
    {
      name: 'empty key set',
      explain: 'The JWKS has no keys, so no ID token could be verified.',
      args: ['--issuer', fixtures.issuer('jwks-empty')],
      env: publicCa,
      expectExit: 1,
      expectCodes: ['JWKS_EMPTY'],
    },
    {
      name: 'clock skew',
      explain: "The server's Date is 7 minutes ahead, as if this machine's clock were behind.",
      args: ['--issuer', fixtures.issuer('skew-7m')],
      env: publicCa,
      expectExit: 1,
      expectCodes: ['CLOCK_SKEW'],
    },
    {
      name: 'JSON for CI',
      explain: 'The healthy issuer again with --json: one document on stdout (schema: docs/json-output.md).',
      args: ['--issuer', issuer.issuer, '--json'],
      env: publicCa,
      expectExit: 0,
      expectCodes: [],
    },
  ];

  out(
    `${paint('bold', `$ export CA=${caFile}`)}  ${paint('dim', "# the demo's root CA; CORTEX_SSO_PUBLIC_CA_FILE=$CA makes it count as a public root")}`,
  );

  const display: Record<string, string> = { ...SECRETS, [caFile]: '$CA' };
  const runs: CliResult[] = [];
  const mismatches: string[] = [];
  let total = scenarios.length;
  let done = 0;
  const runAll = async (list: Scenario[]): Promise<void> => {
    for (const s of list) {
      done += 1;
      const problems = await runScenario(s, `${done}/${total}`, display, runs);
      if (problems) mismatches.push(problems);
    }
  };

  const connector = withConnector ? await connectorPart(dir, caFile, issuer.issuer) : undefined;
  if (connector) {
    closers.push(connector.close);
    total += connector.scenarios.length;
  }

  await runAll(scenarios);

  if (connector) {
    out();
    out(paint(['bold', 'cyan'], '── connector lifecycle '.padEnd(width, '─')));
    out(
      'Once a connector is saved, users sign in only through Okta: `connector set` checks new values first',
    );
    out("and refuses what would lock everyone out. Against the project's reference Cortex API on 127.0.0.1,");
    out('with a fresh settings directory and no keychain reachable (yours is never read or written):');
    for (const [k, v] of Object.entries(connector.exported)) {
      const value = display[v] ?? v;
      out(`${paint('bold', `$ export ${k}=${value}`)}  ${paint('dim', `# ${connector.why[k] ?? ''}`)}`);
    }
    out(
      paint(
        'dim',
        `# $SECRET: the app's client secret, $WRONG_SECRET: a mistyped one, $OTHER_SECRET: another app's; never printed`,
      ),
    );
    await runAll(connector.scenarios);

    // The canary: no secret and no token in anything printed, in any argv, or in the settings written.
    const seen = [
      ...transcript,
      ...runs.flatMap((r) => [r.stdout, r.stderr, r.argv.join(' ')]),
      ...filesUnder(connector.configDir).map((f) => readFileSync(f, 'utf8')),
    ].join('\n');
    const leaked = Object.entries(SECRETS)
      .filter(([value]) => seen.includes(value))
      .map(([, name]) => name);
    if (leaked.length > 0) {
      mismatches.push(`LEAK: the value of ${leaked.join(', ')} appeared in the output, an argv or a file`);
    } else {
      out();
      out(
        paint(
          'green',
          `→ neither a client secret nor the API token appeared in any output, argv or settings file (${runs.length} runs)`,
        ),
      );
    }
  } else {
    out();
    out(
      paint(
        'dim',
        `Connector part skipped: on ${process.platform} the demo cannot keep the CLI away from your keychain (Linux only).`,
      ),
    );
  }

  out();
  if (mismatches.length > 0) {
    for (const m of mismatches) out(paint('red', m));
    out(paint(['bold', 'red'], `demo: ${mismatches.length} of ${total} scenarios did not go as expected`));
    return 1;
  }
  out(paint(['bold', 'green'], `demo: ${total} scenarios, all as expected`));
  return 0;
}

/** Runs one scenario, prints it, returns a mismatch line or undefined. */
async function runScenario(
  s: Scenario,
  counter: string,
  display: Record<string, string>,
  runs: CliResult[],
): Promise<string | undefined> {
  const command = s.command ?? ['diagnose'];
  const args = [...command, ...s.args, ...(s.noTimeout ? [] : ['--timeout', TIMEOUT])];
  const shown = (v: string): string => display[v] ?? v;
  const envShown = Object.entries(s.env ?? {}).map(([k, v]) => `${k}=${shown(v)} `);
  const pipe = s.stdin !== undefined ? `printf %s "${shown(s.stdin)}" | ` : '';
  out();
  out(paint(['bold', 'cyan'], `── ${counter} ${s.name} `.padEnd(width, '─')));
  out(s.explain);
  out(paint('bold', `$ ${pipe}${envShown.join('')}cortex-sso ${args.map(shown).join(' ')}`));

  const r = await runCli(args, {
    env: { ...childColorEnv, ...s.exported, ...s.env },
    ...(s.stdin !== undefined ? { stdin: s.stdin } : {}),
    timeoutMs: RUN_LIMIT_MS,
  });
  runs.push(r);
  const json = args.includes('--json');
  if (s.excerpt) {
    const lines = r.stdout.trimEnd().split('\n');
    const kept = lines.filter((l, n) => n === lines.length - 1 || /\[[A-Z][A-Z0-9_]+\]/.test(l));
    out(paint('dim', `  (${s.excerpt})`));
    out(kept.join('\n'));
  } else {
    write(r.stdout);
  }
  if (r.stderr) write(paint('dim', r.stderr));

  // Check the run against what it should show.
  const problems: string[] = [];
  if (r.code !== s.expectExit) {
    problems.push(
      r.code === null ? `killed after ${RUN_LIMIT_MS} ms` : `exit ${r.code}, expected ${s.expectExit}`,
    );
  }
  let codes: string[];
  if (json) {
    const parsed = codesInJson(r.stdout);
    if (!parsed) {
      problems.push('stdout is not one JSON document');
      codes = [];
    } else {
      codes = parsed.codes;
      if (parsed.ok !== (s.expectExit === 0)) problems.push(`"ok": ${String(parsed.ok)} in the JSON`);
    }
  } else {
    codes = codesInText(`${r.stdout}\n${r.stderr}`);
  }
  const missing = s.expectCodes.filter((c) => !codes.includes(c));
  const extra = codes.filter((c) => !s.expectCodes.includes(c));
  if (missing.length > 0) problems.push(`missing ${missing.join(', ')}`);
  if (extra.length > 0) problems.push(`unexpected ${extra.join(', ')}`);
  const plain = stripVTControlCharacters(`${r.stdout}\n${r.stderr}`);
  for (const text of s.expectText ?? []) {
    const found = typeof text === 'string' ? plain.includes(text) : text.test(plain);
    if (!found) problems.push(`no ${typeof text === 'string' ? `"${text}"` : String(text)} in the output`);
  }
  problems.push(...(s.after?.() ?? []));

  const what = s.expectCodes.length > 0 ? s.expectCodes.join(', ') : 'no warnings or failures';
  if (problems.length === 0) {
    out(paint('green', `→ exit ${r.code}; ${what}: as expected`));
    return undefined;
  }
  const line = `MISMATCH in "${s.name}": ${problems.join('; ')} (expected exit ${s.expectExit}; ${what})`;
  out(paint(['bold', 'red'], `→ exit ${r.code}; ${line}`));
  return line;
}

/** Every file below dir (the demo's settings directory). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

interface ConnectorPart {
  scenarios: Scenario[];
  /** The environment every connector run gets, printed once as `export` lines. */
  exported: Record<string, string>;
  /** One comment per exported variable. */
  why: Record<string, string>;
  configDir: string;
  close: () => Promise<void>;
}

/**
 * Starts the reference Cortex API (from the build: `npm run demo` builds first) and describes the
 * connector runs. Linux only: there a bus address that leads nowhere keeps every keychain out of reach.
 */
async function connectorPart(dir: string, caFile: string, issuerUrl: string): Promise<ConnectorPart> {
  const serverModule = new URL('../dist/sandbox/cortex-api.js', import.meta.url).href;
  const { startCortexApi } = (await import(serverModule)) as typeof import('../src/sandbox/cortex-api.ts');
  const api = await startCortexApi({ tokens: [API_TOKEN] });
  const configDir = join(dir, 'config');
  mkdirSync(configDir, { mode: 0o700 });

  const exported: Record<string, string> = {
    CORTEX_SSO_CONFIG_DIR: configDir,
    CORTEX_BASE_URL: api.url,
    CORTEX_API_KEY: API_TOKEN,
    CORTEX_CONFIG: join(dir, 'no-cortex-cli-config'),
    CORTEX_SSO_PUBLIC_CA_FILE: caFile,
    DBUS_SESSION_BUS_ADDRESS: NO_KEYCHAIN_BUS,
  };
  const why: Record<string, string> = {
    CORTEX_SSO_CONFIG_DIR: 'a fresh settings directory, not yours',
    CORTEX_BASE_URL: "the project's reference Cortex API, serving Cortex's SSO routes (docs/api.md)",
    CORTEX_API_KEY: 'a key that API accepts, made up for this run',
    CORTEX_CONFIG: "not your Cortex CLI's ~/.cortex/config",
    CORTEX_SSO_PUBLIC_CA_FILE: 'as above',
    DBUS_SESSION_BUS_ADDRESS: 'leads nowhere: no keychain is reachable',
  };
  const setArgs = (clientId: string): string[] => [
    '--type',
    'okta',
    '--client-id',
    clientId,
    '--issuer',
    issuerUrl,
  ];
  const set = ['connector', 'set'];
  const secretEnv = { CORTEX_SSO_CLIENT_SECRET: SECRET };
  const configFile = join(configDir, 'config.json');
  const oidcNow = () => api.configurations().filter((c) => 'issuerUri' in c);
  const nothingChanged = (): string[] => [
    ...(oidcNow().length === 0 ? [] : ['the reference API holds a connection, expected none']),
    ...(existsSync(configFile) ? ['settings were saved, expected none'] : []),
  ];
  const pushed = (): string[] => {
    const all = oidcNow();
    const c = all[0];
    if (all.length !== 1 || c?.id !== APP_CLIENT_ID || c.issuerUri !== issuerUrl) {
      return [`the reference API holds ${all.length} connection(s), expected exactly the app's`];
    }
    return api.secretMatches(String(c.connectionId), SECRET)
      ? []
      : ['the connection in the reference API does not hold $SECRET'];
  };

  const scenarios: Scenario[] = [
    {
      name: 'connector set: wrong secret',
      explain:
        'A mistyped client secret: the pre-flight asks the issuer with it, Okta says invalid_client, nothing is pushed.',
      command: set,
      args: [...setArgs(APP_CLIENT_ID), '--client-secret-stdin'],
      stdin: WRONG_SECRET,
      exported,
      expectExit: 1,
      expectCodes: ['CREDENTIALS_INVALID'],
      expectText: ['Not pushed'],
      after: nothingChanged,
    },
    {
      name: 'connector set --dry-run',
      explain:
        'The right secret, as a dry run: the change against what Cortex holds, the pre-flight, no push.',
      command: set,
      args: [...setArgs(APP_CLIENT_ID), '--client-secret-stdin', '--dry-run'],
      stdin: SECRET,
      exported,
      expectExit: 0,
      expectCodes: [],
      expectText: ['Dry run: pre-flight passed; nothing was changed'],
      after: nothingChanged,
    },
    {
      name: 'connector set',
      explain:
        'Now for real, the secret from the environment as in CI: checked, pushed; no keychain here, so not stored.',
      command: set,
      args: setArgs(APP_CLIENT_ID),
      env: secretEnv,
      exported,
      expectExit: 0,
      expectCodes: [],
      expectText: ['Pushed:', 'not stored locally'],
      after: pushed,
    },
    {
      name: 'connector show',
      explain:
        'The saved settings and the connection Cortex holds, side by side (the secret by its last four): no drift.',
      command: ['connector', 'show'],
      args: [],
      noTimeout: true,
      env: secretEnv,
      exported,
      expectExit: 0,
      expectCodes: [],
      expectText: ["The profile matches Cortex's connection", `****${SECRET.slice(-4)}`],
    },
    {
      name: 'connector verify',
      explain:
        "The checklist for the saved issuer, the credentials and Cortex's redirect URI without a user, and the connection Cortex holds.",
      command: ['connector', 'verify'],
      args: [],
      env: secretEnv,
      exported,
      expectExit: 0,
      expectCodes: [],
      // Every check passes, these three included: the ones only `verify` and `set` run.
      expectText: [/✔ credentials /, /✔ redirect-uri /, /✔ cortex-connection /],
    },
    {
      name: "connector set: app without Cortex's redirect URI",
      explain:
        "Another app whose redirect URIs lack Cortex's callback: sign-in would fail after Okta; the exact value to add is named.",
      command: set,
      args: [...setArgs(OTHER_CLIENT_ID), '--client-secret-stdin', '--dry-run'],
      stdin: OTHER_SECRET,
      exported,
      expectExit: 1,
      expectCodes: ['REDIRECT_URI_NOT_REGISTERED'],
      expectText: [CORTEX_CALLBACK],
      after: pushed,
    },
  ];
  return { scenarios, exported, why, configDir, close: api.close };
}

process.once('SIGINT', () => {
  void cleanup().then(() => process.exit(130));
});

let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  process.stderr.write(`demo: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exitCode = exitCode;
// Every server is closed: the process should now end by itself. If something still holds it open,
// say so and fail instead of hanging CI (the timer is unref'd, so it never delays a clean exit).
setTimeout(() => {
  process.stderr.write('demo: something kept the process alive after cleanup\n');
  process.exit(1);
}, 5000).unref();
