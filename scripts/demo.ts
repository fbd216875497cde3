// `npm run demo`: the README's "try it". Starts a local Okta-like issuer and broken look-alikes on
// loopback, runs the real, built CLI against each (`node bin/cortex-sso.js diagnose ...`, as a child
// process), prints what a user would see, and checks every run against its expected exit code and codes.
// Exits 1 when any run differs, so CI (which runs `npm run demo`) catches a broken demo.
// Plain `node` runs this file (type stripping): erasable TypeScript, `.ts` imports, no src/ imports.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { stripVTControlCharacters, styleText } from 'node:util';
import { runCli, tempDir, writeTemp } from '../test/support/cli.ts';
import { startDnsServer } from '../test/support/dns-server.ts';
import { startHttpFixtures } from '../test/support/http-fixtures.ts';
import { startOidcIssuer } from '../test/support/oidc-issuer.ts';
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

interface Scenario {
  /** Short name for the header and the summary. */
  name: string;
  /** One line: what this run shows. */
  explain: string;
  /** Arguments after `diagnose` (the demo appends --timeout). */
  args: string[];
  /** Extra environment for the child, shown in the header as VAR=value. */
  env?: Record<string, string>;
  expectExit: number;
  /** Exactly the codes the output must carry (warnings and failures); [] for none. */
  expectCodes: string[];
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
const out = (s = ''): void => {
  process.stdout.write(`${s}\n`);
};

// oidc-provider announces its development defaults on the console. test/support/oidc-issuer.ts hides
// them, but only when uncoloured (it matches the plain text, and a terminal gets them in colour): hide them
// here too, whatever the colour.
for (const level of ['warn', 'info', 'log'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && stripVTControlCharacters(args[0]).startsWith('oidc-provider ')) return;
    original(...args);
  };
}

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
  out(paint('dim', 'Setting up: test PKI, OpenID provider, failure fixtures, loopback DNS server...'));

  const pki = await createTestPki('cortex-sso Demo Root CA');
  const dir = tempDir('cortex-sso-demo-');
  closers.push(async () => rmSync(dir, { recursive: true, force: true }));
  const caFile = writeTemp(dir, 'root.pem', pki.root.certPem);

  const issuer = await startOidcIssuer({
    tls: pki.leaf,
    path: '/oauth2/default',
    clients: [
      {
        clientId: '0oademo1234567890',
        clientSecret: randomBytes(30).toString('base64url'),
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

  const mismatches: string[] = [];
  for (const [i, s] of scenarios.entries()) {
    const args = ['diagnose', ...s.args, '--timeout', TIMEOUT];
    const shown = (v: string): string => (v === caFile ? '$CA' : v);
    const envShown = Object.entries(s.env ?? {}).map(([k, v]) => `${k}=${shown(v)} `);
    out();
    out(paint(['bold', 'cyan'], `── ${i + 1}/${scenarios.length} ${s.name} `.padEnd(width, '─')));
    out(s.explain);
    out(paint('bold', `$ ${envShown.join('')}cortex-sso ${args.map(shown).join(' ')}`));

    const r = await runCli(args, { env: { ...childColorEnv, ...s.env }, timeoutMs: RUN_LIMIT_MS });
    const json = args.includes('--json');
    if (s.excerpt) {
      const lines = r.stdout.trimEnd().split('\n');
      const kept = lines.filter((l, n) => n === lines.length - 1 || /\[[A-Z][A-Z0-9_]+\]/.test(l));
      out(paint('dim', `  (${s.excerpt})`));
      out(kept.join('\n'));
    } else {
      process.stdout.write(r.stdout);
    }
    if (r.stderr) process.stdout.write(paint('dim', r.stderr));

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

    const what = s.expectCodes.length > 0 ? s.expectCodes.join(', ') : 'no warnings or failures';
    if (problems.length === 0) {
      out(paint('green', `→ exit ${r.code}; ${what}: as expected`));
    } else {
      const line = `MISMATCH in "${s.name}": ${problems.join('; ')} (expected exit ${s.expectExit}; ${what})`;
      mismatches.push(line);
      out(paint(['bold', 'red'], `→ exit ${r.code}; ${line}`));
    }
  }

  out();
  if (mismatches.length > 0) {
    for (const m of mismatches) out(paint('red', m));
    out(
      paint(
        ['bold', 'red'],
        `demo: ${mismatches.length} of ${scenarios.length} scenarios did not go as expected`,
      ),
    );
    return 1;
  }
  out(paint(['bold', 'green'], `demo: ${scenarios.length} scenarios, all as expected`));
  return 0;
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
