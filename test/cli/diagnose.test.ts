// `cortex-sso diagnose` from the user's side: the built binary as a child process, real servers on
// loopback, one scenario per failure class. Every run asserts the exit code, that stdout holds
// exactly one JSON document (with --json), the verdict of the check that owns the failure, and that
// stderr never shows a stack trace.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_ORDER } from '../../src/checks/runner.js';
import { OIDC_CONFIGURATIONS_PATH } from '../../src/cortex/types.js';
import { type CortexApi, startCortexApi } from '../../src/sandbox/cortex-api.js';
import { raw } from '../support/api-server.ts';
import { type CliResult, runCli, tempDir, writeTemp } from '../support/cli.ts';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { type FixtureCase, type HttpFixtures, startHttpFixtures } from '../support/http-fixtures.ts';
import { type OidcIssuer, startOidcIssuer } from '../support/oidc-issuer.ts';
import { createTestPki, type TestPki } from '../support/pki.ts';
import { startProxy, type TestProxy } from '../support/proxy-server.ts';
import {
  type CertScenarios,
  createCertScenarios,
  freePort,
  startOldTlsServer,
  startPlainHttpServer,
  startSilentServer,
  startTlsServer,
  type TestServer,
} from '../support/tls-servers.ts';

interface JsonCheck {
  id: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  code?: string;
  title: string;
  detail?: string;
  advice?: string;
  durationMs: number;
  data?: Record<string, unknown>;
}
interface JsonTarget {
  issuer: string;
  input: string;
  ok: boolean;
  checks: JsonCheck[];
}
interface JsonDoc {
  schemaVersion: number;
  ok: boolean;
  results: JsonTarget[];
}

const STACK = /\n\s+at /;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what this looks for
const ANSI = /\u001b\[/;
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏|/\\-]\s+Checking/;
/** The checks only `connector verify` adds (they need a client ID and secret, or the API). */
const VERIFY_ONLY_IDS: readonly string[] = ['credentials', 'redirect-uri', 'cortex-connection'];
/** The Okta-side audit (okta-*) runs only with an Okta API token: okta audit, or verify/set with one. */
const DIAGNOSE_IDS = CHECK_ORDER.filter((id) => !VERIFY_ONLY_IDS.includes(id) && !id.startsWith('okta-'));

let pki: TestPki;
let dir: string;
/** The test root, as a file: trusted as "public" via CORTEX_SSO_PUBLIC_CA_FILE, or as --ca-file. */
let rootFile: string;
let oidc: OidcIssuer;
let fixtures: HttpFixtures;
let expiring: HttpFixtures;
let certs: CertScenarios;
const certServers: Partial<Record<keyof CertScenarios, TestServer>> = {};
let oldTls: TestServer;
let plainHttp: TestServer;
let silent: TestServer;
let refusedPort: number;
let dns: TestDnsServer;
let proxy: TestProxy;
let authProxy: TestProxy;
const closers: Array<() => Promise<void>> = [];

const CLIENT_ID = '0oa1a2b3c4d5e6f7g8h9';
const SECRET = `CANARY${randomBytes(16).toString('hex')}`;
const TOKEN = `TOKEN${randomBytes(16).toString('hex')}`;
const CALLBACK = 'https://cortexapp.auth0.com/login/callback';

beforeAll(async () => {
  pki = await createTestPki();
  dir = tempDir('cortex-sso-diagnose-');
  rootFile = writeTemp(dir, 'root.pem', pki.root.certPem);
  oidc = await startOidcIssuer({
    tls: pki.leaf,
    path: '/oauth2/default',
    clients: [{ clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [CALLBACK] }],
  });
  closers.push(() => oidc.close());
  fixtures = await startHttpFixtures({ tls: pki.leaf });
  closers.push(() => fixtures.close());
  const DAY = 86_400_000;
  expiring = await startHttpFixtures({
    tls: await pki.issueLeaf({ notAfter: new Date(Date.now() + 10 * DAY + 3_600_000) }),
  });
  closers.push(() => expiring.close());
  certs = await createCertScenarios(pki);
  for (const name of [
    'expired',
    'notYetValid',
    'wrongHost',
    'selfSigned',
    'missingIntermediate',
    'unknownRoot',
    'unknownRootSent',
  ] as const) {
    const s = await startTlsServer(certs[name]);
    certServers[name] = s;
    closers.push(() => s.close());
  }
  oldTls = await startOldTlsServer(pki.leaf);
  plainHttp = await startPlainHttpServer();
  silent = await startSilentServer();
  for (const s of [oldTls, plainHttp, silent]) closers.push(() => s.close());
  refusedPort = await freePort();
  dns = await startDnsServer({
    'nxdomain.example': 'nxdomain',
    'servfail.example': 'servfail',
    'silent.example': 'silent',
  });
  closers.push(() => dns.close());
  proxy = await startProxy();
  authProxy = await startProxy({ auth: { user: 'alice', pass: 'proxy-pw' } });
  closers.push(
    () => proxy.close(),
    () => authProxy.close(),
  );
});

afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
});

// ── helpers ───────────────────────────────────────────────────────────────────

type Env = Record<string, string | undefined>;

/** Exactly one JSON document, newline-terminated, nothing before or after it. */
function parseOne<T>(stdout: string): T {
  expect(stdout.startsWith('{'), `stdout starts with a JSON object: ${stdout.slice(0, 80)}`).toBe(true);
  expect(stdout.endsWith('}\n')).toBe(true);
  // JSON.parse rejects trailing content, so a second document or a stray line fails here.
  return JSON.parse(stdout) as T;
}

function noStack(r: CliResult): void {
  expect(r.stderr).not.toMatch(STACK);
  expect(r.stdout).not.toMatch(STACK);
}

interface Run {
  r: CliResult;
  doc: JsonDoc;
}

/** `diagnose --json`, trusting the test root as a public root unless the caller overrides env. */
async function diagnose(args: string[], env: Env = {}): Promise<Run> {
  const r = await runCli(['diagnose', ...args, '--json'], {
    env: { CORTEX_SSO_PUBLIC_CA_FILE: rootFile, ...env },
  });
  noStack(r);
  expect(r.stderr, 'nothing on stderr with --json').toBe('');
  const doc = parseOne<JsonDoc>(r.stdout);
  expect(doc.schemaVersion).toBe(1);
  expect(doc.ok).toBe(doc.results.every((t) => t.ok));
  for (const t of doc.results) {
    expect(t.checks.map((c) => c.id)).toEqual(DIAGNOSE_IDS);
    for (const c of t.checks) {
      // code (and its advice) exactly on warn and fail
      if (c.status === 'warn' || c.status === 'fail') {
        expect(c.code, `${c.id} ${c.status} has a code`).toMatch(/^[A-Z_]+$/);
        expect(c.advice, `${c.id} has advice`).toBeTruthy();
      } else expect(c.code, `${c.id} ${c.status} has no code`).toBeUndefined();
    }
  }
  return { r, doc };
}

function checkOf(doc: JsonDoc, id: string, target = 0): JsonCheck {
  const c = doc.results[target]?.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in result ${target}`);
  return c;
}

/** One issuer, one failing check: exit 1, that check fails with that code, later layers skip. */
async function expectFailure(issuer: string, id: string, code: string, args: string[] = [], env: Env = {}) {
  const run = await diagnose(['--issuer', issuer, ...args], env);
  expect(run.r.code).toBe(1);
  expect(run.doc.ok).toBe(false);
  expect(checkOf(run.doc, id)).toMatchObject({ status: 'fail', code });
  return run;
}

const local = (port: number, path = '') => `https://localhost:${port}${path}`;
const fx = (c: FixtureCase) => fixtures.issuer(c);

// ── healthy, private roots, strict, several issuers ──────────────────────────

describe('diagnose: healthy issuer', () => {
  it('a real OpenID provider with a publicly trusted chain: every check passes, exit 0', async () => {
    const { r, doc } = await diagnose(['--issuer', oidc.issuer]);
    expect(r.code).toBe(0);
    expect(doc.ok).toBe(true);
    expect(doc.results).toHaveLength(1);
    expect(doc.results[0]).toMatchObject({ issuer: oidc.issuer, input: oidc.issuer, ok: true });
    expect(doc.results[0]?.checks.map((c) => `${c.id}:${c.status}`)).toEqual(
      DIAGNOSE_IDS.map((id) => `${id}:pass`),
    );
    expect(checkOf(doc, 'certificate').data).toMatchObject({ trustedBy: 'public' });
    expect(checkOf(doc, 'discovery').data).toMatchObject({ issuer: oidc.issuer, status: 200 });
  });

  it('trusted only through --ca-file: CERT_PRIVATE_ROOT warning, still exit 0', async () => {
    const { r, doc } = await diagnose(['--issuer', oidc.issuer, '--ca-file', rootFile], {
      CORTEX_SSO_PUBLIC_CA_FILE: undefined,
    });
    expect(r.code).toBe(0);
    expect(doc.ok).toBe(true);
    const cert = checkOf(doc, 'certificate');
    expect(cert).toMatchObject({ status: 'warn', code: 'CERT_PRIVATE_ROOT' });
    expect(cert.detail).toContain('--ca-file');
    // The warning does not block the layers above it.
    expect(checkOf(doc, 'discovery').status).toBe('pass');
  });

  it('--strict turns that warning into a failure: status fail, exit 1', async () => {
    const { r, doc } = await diagnose(['--issuer', oidc.issuer, '--ca-file', rootFile, '--strict'], {
      CORTEX_SSO_PUBLIC_CA_FILE: undefined,
    });
    expect(r.code).toBe(1);
    expect(doc.ok).toBe(false);
    expect(checkOf(doc, 'certificate')).toMatchObject({
      status: 'fail',
      code: 'CERT_PRIVATE_ROOT',
      data: { strict: true },
    });
  });

  it('several --issuer at once: each reported, in the order given; one broken -> exit 1', async () => {
    const broken = local(refusedPort);
    const { r, doc } = await diagnose(['--issuer', broken, '--issuer', oidc.issuer, '--issuer', fx('html')]);
    expect(r.code).toBe(1);
    expect(doc.ok).toBe(false);
    expect(doc.results.map((t) => t.input)).toEqual([broken, oidc.issuer, fx('html')]);
    expect(doc.results.map((t) => t.ok)).toEqual([false, true, false]);
    expect(checkOf(doc, 'tcp', 0)).toMatchObject({ status: 'fail', code: 'TCP_REFUSED' });
    expect(checkOf(doc, 'discovery', 1).status).toBe('pass');
    expect(checkOf(doc, 'discovery', 2)).toMatchObject({ status: 'fail', code: 'DISCOVERY_NOT_JSON' });
  });

  it('a pasted discovery URL is normalized with an ISSUER_NORMALIZED warning, exit 0', async () => {
    const { r, doc } = await diagnose(['--issuer', `${fx('healthy')}/.well-known/openid-configuration`]);
    expect(r.code).toBe(0);
    expect(doc.results[0]?.issuer).toBe(fx('healthy'));
    expect(checkOf(doc, 'issuer-url')).toMatchObject({ status: 'warn', code: 'ISSUER_NORMALIZED' });
    expect(checkOf(doc, 'discovery').status).toBe('pass');
  });
});

// ── certificates ──────────────────────────────────────────────────────────────

describe.concurrent('diagnose: certificate failures', () => {
  const cases: Array<[keyof CertScenarios, string, RegExp]> = [
    ['expired', 'CERT_EXPIRED', /expired on/],
    ['notYetValid', 'CERT_NOT_YET_VALID', /valid only from/],
    ['wrongHost', 'CERT_HOSTNAME_MISMATCH', /other\.example/],
    ['selfSigned', 'CERT_SELF_SIGNED', /signs itself/],
    ['missingIntermediate', 'CERT_CHAIN_INCOMPLETE', /only the leaf/],
    ['unknownRoot', 'CERT_UNTRUSTED_ROOT', /not a trusted root/],
    ['unknownRootSent', 'CERT_UNTRUSTED_ROOT', /sent the root "Other Inspection Root CA"/],
  ];
  for (const [name, code, detail] of cases) {
    it(`${name} -> ${code}, the layers above are skipped`, async () => {
      const port = certServers[name]?.port ?? 0;
      const { doc } = await expectFailure(local(port), 'certificate', code);
      expect(checkOf(doc, 'certificate').detail).toMatch(detail);
      expect(checkOf(doc, 'tls').status).toBe('pass');
      expect(checkOf(doc, 'discovery').status).toBe('skip');
    });
  }

  it('a leaf that expires in 10 days -> CERT_EXPIRES_SOON warning, exit 0 (1 with --strict)', async () => {
    const { r, doc } = await diagnose(['--issuer', expiring.issuer('healthy')]);
    expect(r.code).toBe(0);
    expect(checkOf(doc, 'certificate')).toMatchObject({ status: 'warn', code: 'CERT_EXPIRES_SOON' });
    expect(checkOf(doc, 'certificate').detail).toMatch(/in 10 days/);
    const strict = await diagnose(['--issuer', expiring.issuer('healthy'), '--strict']);
    expect(strict.r.code).toBe(1);
    expect(checkOf(strict.doc, 'certificate').status).toBe('fail');
    // A wider or narrower window decides: --warn-days 5 accepts it.
    const narrow = await diagnose(['--issuer', expiring.issuer('healthy'), '--warn-days', '5']);
    expect(checkOf(narrow.doc, 'certificate').status).toBe('pass');
  }, 90_000); // three runs of the binary: slow on a loaded 2-core machine

  it('--warn-days is a sharp boundary: 10 days and 1 hour left passes at 10, warns at 11', async () => {
    const at10 = await diagnose(['--issuer', expiring.issuer('healthy'), '--warn-days', '10']);
    expect(at10.r.code).toBe(0);
    expect(checkOf(at10.doc, 'certificate').status).toBe('pass');
    const at11 = await diagnose(['--issuer', expiring.issuer('healthy'), '--warn-days', '11']);
    expect(at11.r.code).toBe(0);
    expect(checkOf(at11.doc, 'certificate')).toMatchObject({ status: 'warn', code: 'CERT_EXPIRES_SOON' });
    expect(checkOf(at11.doc, 'certificate').detail).toMatch(/warning window 11 days/);
  }, 60_000);
});

// ── transport: tcp, tls ──────────────────────────────────────────────────────

describe.concurrent('diagnose: transport failures', () => {
  it('TLS 1.0/1.1 only -> TLS_PROTOCOL_TOO_OLD', async () => {
    const { doc } = await expectFailure(local(oldTls.port), 'tls', 'TLS_PROTOCOL_TOO_OLD');
    expect(checkOf(doc, 'tls').detail).toMatch(/TLSv1(\.1)?/);
    expect(checkOf(doc, 'certificate').status).toBe('skip');
  });

  it('plain HTTP on the port -> TLS_NOT_TLS', async () => {
    await expectFailure(local(plainHttp.port), 'tls', 'TLS_NOT_TLS');
  });

  it('a port that accepts and stays silent -> TLS_TIMEOUT with --timeout 1 (and the run ends)', async () => {
    const { doc } = await expectFailure(local(silent.port), 'tls', 'TLS_TIMEOUT', ['--timeout', '1']);
    expect(checkOf(doc, 'tcp').status).toBe('pass');
  });

  it('nothing listening -> TCP_REFUSED', async () => {
    const { doc } = await expectFailure(local(refusedPort), 'tcp', 'TCP_REFUSED');
    expect(checkOf(doc, 'tls').status).toBe('skip');
  });
});

// ── dns ───────────────────────────────────────────────────────────────────────

describe.concurrent('diagnose: DNS failures', () => {
  it('a .invalid name -> DNS_NOT_FOUND (asked of the test resolver, never the OS one)', async () => {
    const { doc } = await expectFailure('https://acme.invalid', 'dns', 'DNS_NOT_FOUND', [], {
      CORTEX_SSO_DNS_SERVERS: dns.address,
    });
    expect(dns.queries).toContain('acme.invalid');
    expect(checkOf(doc, 'tcp').status).toBe('skip');
  });

  const resolverCases: Array<[string, string, string[]]> = [
    ['nxdomain.example', 'DNS_NOT_FOUND', []],
    ['servfail.example', 'DNS_FAILURE', []],
    ['silent.example', 'DNS_TIMEOUT', ['--timeout', '1']],
  ];
  for (const [host, code, args] of resolverCases) {
    it(`CORTEX_SSO_DNS_SERVERS resolver: ${host} -> ${code}`, async () => {
      const { doc } = await expectFailure(`https://${host}`, 'dns', code, args, {
        CORTEX_SSO_DNS_SERVERS: dns.address,
      });
      expect(checkOf(doc, 'dns').detail).toContain(host);
      expect(dns.queries).toContain(host);
    });
  }
});

// ── discovery, jwks, endpoints, clock ────────────────────────────────────────

describe.concurrent('diagnose: discovery and keys', () => {
  const cases: Array<[FixtureCase, string, string, string[]]> = [
    ['not-found', 'discovery', 'DISCOVERY_HTTP_ERROR', []],
    ['server-error', 'discovery', 'DISCOVERY_HTTP_ERROR', []],
    ['html', 'discovery', 'DISCOVERY_NOT_JSON', []],
    ['endless', 'discovery', 'DISCOVERY_TOO_LARGE', []],
    ['issuer-slash', 'discovery', 'DISCOVERY_ISSUER_MISMATCH', []],
    ['redirect', 'discovery', 'DISCOVERY_REDIRECT', []],
    ['missing-fields', 'discovery', 'DISCOVERY_MISSING_FIELD', []],
    ['http-endpoints', 'discovery', 'DISCOVERY_INSECURE_ENDPOINT', []],
    ['stall-headers', 'discovery', 'DISCOVERY_TIMEOUT', ['--timeout', '2']],
    ['jwks-empty', 'jwks', 'JWKS_EMPTY', []],
    ['jwks-malformed', 'jwks', 'JWKS_INVALID', []],
    ['jwks-not-found', 'jwks', 'JWKS_HTTP_ERROR', []],
    ['split-closed', 'endpoints', 'ENDPOINT_UNREACHABLE', []],
    ['skew-7m', 'clock', 'CLOCK_SKEW', []],
  ];
  for (const [c, id, code, args] of cases) {
    it(`${c} -> ${id} ${code}`, async () => {
      const { doc } = await expectFailure(fx(c), id, code, args);
      // The transport below the failing layer was fine.
      expect(checkOf(doc, 'certificate').status).toBe('pass');
    });
  }

  it('issuer mismatch names the issuer the document states', async () => {
    const { doc } = await diagnose(['--issuer', fx('issuer-slash')]);
    expect(checkOf(doc, 'discovery').advice).toContain(`${fx('issuer-slash')}/`);
  });

  it('redirect names the issuer it points to', async () => {
    const { doc } = await diagnose(['--issuer', fx('redirect')]);
    expect(checkOf(doc, 'discovery').data).toMatchObject({ impliedIssuer: fx('healthy') });
  });

  it('45 s of clock skew -> CLOCK_SKEW warning, exit 0', async () => {
    const { r, doc } = await diagnose(['--issuer', fx('skew-45s')]);
    expect(r.code).toBe(0);
    expect(checkOf(doc, 'clock')).toMatchObject({ status: 'warn', code: 'CLOCK_SKEW' });
  });
});

// ── proxy ─────────────────────────────────────────────────────────────────────

describe('diagnose: proxy', () => {
  it('HTTPS_PROXY: every request goes through the proxy and passes', async () => {
    const before = proxy.connects.length;
    const { r, doc } = await diagnose(['--issuer', oidc.issuer], { HTTPS_PROXY: proxy.url });
    expect(r.code).toBe(0);
    expect(checkOf(doc, 'proxy')).toMatchObject({ status: 'pass', data: { proxy: proxy.url } });
    expect(doc.results[0]?.checks.every((c) => c.status === 'pass')).toBe(true);
    const seen = proxy.connects.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((t) => t === `localhost:${oidc.port}`)).toBe(true);
  });

  it('a proxy that answers 407 -> PROXY_REFUSED on the proxy check; the later layers are skipped', async () => {
    const { doc } = await expectFailure(oidc.issuer, 'proxy', 'PROXY_REFUSED', [], {
      HTTPS_PROXY: authProxy.url,
    });
    expect(checkOf(doc, 'proxy').detail).toContain('407');
    expect(checkOf(doc, 'tls')).toMatchObject({ status: 'skip', title: 'Skipped: proxy failed' });
  });

  it('a --proxy that is not a URL is a usage error: exit 2', async () => {
    const r = await runCli(['diagnose', '--issuer', oidc.issuer, '--proxy', 'not a url', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID' } });
  });
});

// ── issuer-url: refused before any network ──────────────────────────────────

describe.concurrent('diagnose: unusable issuer URLs (no network)', () => {
  const cases: Array<[string, string, string]> = [
    ['https://acme-admin.okta.com', 'ISSUER_ADMIN_DOMAIN', 'https://acme.okta.com'],
    ['http://acme.okta.com', 'ISSUER_URL_INVALID', 'https://acme.okta.com'],
    [
      'https://acme.okta.com/oauth2/default?x=1',
      'ISSUER_URL_INVALID',
      'https://acme.okta.com/oauth2/default',
    ],
  ];
  for (const [input, code, suggestion] of cases) {
    it(`${input} -> ${code}, exit 1, every other check skipped`, async () => {
      // A resolver that would record any lookup: none may happen.
      const before = dns.queries.length;
      const { doc } = await expectFailure(input, 'issuer-url', code, [], {
        CORTEX_SSO_DNS_SERVERS: dns.address,
      });
      expect(checkOf(doc, 'issuer-url').advice).toBe(`Use ${suggestion}`);
      expect(doc.results[0]?.checks.slice(1).every((c) => c.status === 'skip')).toBe(true);
      expect(dns.queries.length).toBe(before);
    });
  }
});

// ── usage errors ──────────────────────────────────────────────────────────────

describe.concurrent('diagnose: usage errors exit 2 with one line, no stack', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no --issuer', [], /^error: missing --issuer/],
    [
      'unknown flag',
      ['--issuer', 'https://acme.okta.com', '--frobnicate'],
      /^error: unknown option '--frobnicate'/,
    ],
    [
      '--timeout abc',
      ['--issuer', 'https://acme.okta.com', '--timeout', 'abc'],
      /^error: --timeout expects a number, got "abc"/,
    ],
    ['--timeout 0', ['--issuer', 'https://acme.okta.com', '--timeout', '0'], /^error: --timeout must be/],
    [
      'unreadable --ca-file',
      ['--issuer', 'https://acme.okta.com', '--ca-file', '/nonexistent/corp-root.pem'],
      /^error: The --ca-file \/nonexistent\/corp-root\.pem cannot be read/,
    ],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const r = await runCli(['diagnose', ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      noStack(r);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toMatch(message);
      // The message is one line; commander may add its "(run with --help for usage)" hint.
      expect(lines.slice(1).every((l) => l === '(run with --help for usage)')).toBe(true);
    });
  }

  it('with --json the error is one JSON document on stdout, code USAGE', async () => {
    const r = await runCli(['diagnose', '--issuer', 'https://acme.okta.com', '--timeout', 'abc', '--json']);
    expect(r.code).toBe(2);
    noStack(r);
    const doc = parseOne<{ schemaVersion: number; ok: boolean; error: Record<string, unknown> }>(r.stdout);
    expect(doc).toEqual({
      schemaVersion: 1,
      ok: false,
      error: { code: 'USAGE', message: '--timeout expects a number, got "abc"' },
    });
  });

  it('with --json an unknown flag is a JSON error document too (commander parses it)', async () => {
    const r = await runCli(['diagnose', '--issuer', 'https://acme.okta.com', '--frobnicate', '--json']);
    expect(r.code).toBe(2);
    noStack(r);
    expect(r.stderr).toMatch(/^error: unknown option '--frobnicate'/);
    const doc = parseOne<{ error: { code: string; message: string } }>(r.stdout);
    expect(doc.error).toEqual({ code: 'USAGE', message: "unknown option '--frobnicate'" });
  });

  it('--format json and --format=json get the JSON error document too, like --json', async () => {
    for (const args of [
      ['--format', 'json', '--timeout', '0'],
      ['--format=json', '--timeout', '0'],
      ['--timeout', 'abc', '--format', 'json'],
      ['--format=json', '--frobnicate'],
    ]) {
      const r = await runCli(['diagnose', '--issuer', 'https://acme.okta.com', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      noStack(r);
      const doc = parseOne<{ schemaVersion: number; ok: boolean; error: { code: string } }>(r.stdout);
      expect(doc.schemaVersion).toBe(1);
      expect(doc.ok).toBe(false);
      expect(doc.error.code).toBe('USAGE');
    }
  });

  it('the format the command parsed decides: a value "--json" of another flag is not a request for JSON', async () => {
    const r = await runCli(['diagnose', '--issuer', '--json', '--timeout', '0']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: /);
  });

  it('a CA file without certificates is named, with a detail', async () => {
    const empty = writeTemp(dir, 'empty.pem', 'not a certificate\n');
    const r = await runCli(['diagnose', '--issuer', 'https://acme.okta.com', '--ca-file', empty, '--json']);
    expect(r.code).toBe(2);
    const doc = parseOne<{ error: { code: string; message: string; detail?: string } }>(r.stdout);
    expect(doc.error.code).toBe('USAGE');
    expect(doc.error.message).toContain(empty);
    expect(doc.error.detail).toMatch(/BEGIN CERTIFICATE/);
  });
});

// ── text output ───────────────────────────────────────────────────────────────

describe('diagnose: text output', () => {
  it('NO_COLOR: one line per check with its symbol, "Fix:" under failures, no ANSI, no spinner', async () => {
    const r = await runCli(['diagnose', '--issuer', oidc.issuer, '--issuer', fx('jwks-empty')], {
      env: { CORTEX_SSO_PUBLIC_CA_FILE: rootFile, NO_COLOR: '1' },
    });
    expect(r.code).toBe(1);
    noStack(r);
    expect(r.stdout).not.toMatch(ANSI);
    expect(r.stderr).not.toMatch(ANSI);
    expect(r.stderr).not.toMatch(SPINNER);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    for (const id of DIAGNOSE_IDS) {
      // Two issuers: each check appears once per issuer, as "  <symbol> <id> ...".
      const re = new RegExp(`^ {2}[✔!✖-] ${id.replace('-', '\\-')}\\s`);
      expect(
        lines.filter((l) => re.test(l)),
        id,
      ).toHaveLength(2);
    }
    const jwksLine = lines.findIndex((l) => /^ {2}✖ jwks\s/.test(l));
    expect(lines[jwksLine]).toContain('[JWKS_EMPTY]');
    const below = lines.slice(jwksLine + 1, jwksLine + 4).join('\n');
    expect(below).toMatch(/^ {6}Fix: /m);
    expect(lines.filter((l) => /^ {2}✔ /.test(l)).length).toBeGreaterThanOrEqual(DIAGNOSE_IDS.length);
    expect(r.stdout).toMatch(/\nFAILED: 1 failed, 0 warnings, \d+ passed/);
  });

  it('a healthy run ends with OK and exit 0', async () => {
    const r = await runCli(['diagnose', '--issuer', oidc.issuer], {
      env: { CORTEX_SSO_PUBLIC_CA_FILE: rootFile },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nOK: 0 failed, 0 warnings, 10 passed\n$/);
    expect(r.stdout).not.toContain('Fix:');
  });

  it('FORCE_COLOR=1 colours the output', async () => {
    const r = await runCli(['diagnose', '--issuer', local(refusedPort)], {
      env: { CORTEX_SSO_PUBLIC_CA_FILE: rootFile, NO_COLOR: undefined, FORCE_COLOR: '1' },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(ANSI);
    expect(r.stderr).not.toMatch(SPINNER);
  });
});

// ── connector verify / show: the codes only they produce ─────────────────────

describe('connector verify and show (same JSON shape as diagnose)', () => {
  let api: CortexApi;
  let configDir: string;
  beforeAll(async () => {
    configDir = tempDir('cortex-sso-verify-');
    api = await startCortexApi({ tokens: [TOKEN] });
    // Cortex holds the connection being verified.
    const post = await raw(api.url, 'POST', OIDC_CONFIGURATIONS_PATH, {
      token: TOKEN,
      body: {
        type: 'client_secret_basic',
        id: CLIENT_ID,
        secret: SECRET,
        issuerUri: oidc.issuer,
        connectionType: 'OKTA',
      },
    });
    expect(post.status).toBe(200);
  });
  afterAll(async () => {
    await api?.close();
  });

  const env = (apiUrl: string): Env => ({
    CORTEX_SSO_PUBLIC_CA_FILE: rootFile,
    CORTEX_SSO_CONFIG_DIR: configDir,
    CORTEX_SSO_PROFILE: 'verify-test',
    CORTEX_SSO_CLIENT_ID: CLIENT_ID,
    CORTEX_SSO_CLIENT_SECRET: SECRET,
    CORTEX_SSO_ISSUER: oidc.issuer,
    CORTEX_API_KEY: TOKEN,
    CORTEX_BASE_URL: apiUrl,
    CORTEX_CONFIG: `${configDir}/no-cortex-cli-config`,
  });

  async function verify(apiUrl: string): Promise<{ r: CliResult; doc: JsonDoc & Record<string, unknown> }> {
    const r = await runCli(['connector', 'verify', '--json'], { env: env(apiUrl) });
    noStack(r);
    expect(r.stdout).not.toContain(SECRET);
    expect(r.stderr).not.toContain(SECRET);
    return { r, doc: parseOne(r.stdout) };
  }

  it('healthy: every check passes, with profile, clientId and redirectUri on top', async () => {
    const { r, doc } = await verify(api.url);
    expect(r.code).toBe(0);
    expect(doc).toMatchObject({
      schemaVersion: 1,
      ok: true,
      profile: 'verify-test',
      clientId: CLIENT_ID,
      redirectUri: CALLBACK,
    });
    expect(doc.results[0]?.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      ...DIAGNOSE_IDS.map((id) => `${id}:pass`),
      'credentials:pass',
      'redirect-uri:pass',
      'cortex-connection:pass',
    ]);
  });

  it('Cortex holds other values -> CONNECTOR_NOT_FOUND warning naming what it holds; --strict fails', async () => {
    const r = await runCli(['connector', 'verify', '--json'], {
      env: { ...env(api.url), CORTEX_SSO_CLIENT_ID: '0oaNOTINCORTEX000000' },
    });
    noStack(r);
    const doc = parseOne(r.stdout);
    expect(checkOf(doc as JsonDoc, 'cortex-connection')).toMatchObject({
      status: 'warn',
      code: 'CONNECTOR_NOT_FOUND',
    });
    expect(checkOf(doc as JsonDoc, 'cortex-connection').detail).toContain(CLIENT_ID);
    const strict = await runCli(['connector', 'verify', '--strict', '--json'], {
      env: { ...env(api.url), CORTEX_SSO_CLIENT_ID: '0oaNOTINCORTEX000000' },
    });
    expect(strict.code).toBe(1);
  });

  it('connector verify --strict turns that warning into a failure (exit 1)', async () => {
    const r = await runCli(['connector', 'verify', '--json', '--strict'], {
      env: env(`${api.url}/wrong-prefix`),
    });
    noStack(r);
    expect(r.code).toBe(1);
    const doc = parseOne<JsonDoc>(r.stdout);
    expect(doc.ok).toBe(false);
    expect(checkOf(doc, 'cortex-connection')).toMatchObject({ status: 'fail', code: 'API_NOT_FOUND' });
    // Without --strict the same run passes with the warning (the test below).
  });

  it('an API URL with a wrong base path -> API_NOT_FOUND warning on cortex-connection', async () => {
    const { r, doc } = await verify(`${api.url}/wrong-prefix`);
    expect(r.code).toBe(0);
    expect(checkOf(doc, 'cortex-connection')).toMatchObject({ status: 'warn', code: 'API_NOT_FOUND' });
    expect(checkOf(doc, 'cortex-connection').detail).toMatch(/API URL or route is wrong/);
  });

  it('no API key -> cortex-connection is skipped, the rest still runs', async () => {
    const r = await runCli(['connector', 'verify', '--json'], {
      env: {
        ...env(api.url),
        CORTEX_API_KEY: undefined,
        DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus',
      },
    });
    expect(r.code).toBe(0);
    expect(checkOf(parseOne(r.stdout), 'cortex-connection').status).toBe('skip');
  });

  it('connector show flags CONNECTOR_DRIFT between the profile and the live connector', async () => {
    writeTemp(
      configDir,
      'config.json',
      JSON.stringify({
        profiles: { 'drift-test': { type: 'okta', clientId: CLIENT_ID, issuer: oidc.issuer } },
      }),
    );
    // Someone added another connection in the UI: Cortex now holds two.
    const post = await raw(api.url, 'POST', OIDC_CONFIGURATIONS_PATH, {
      token: TOKEN,
      body: {
        type: 'client_secret_basic',
        id: '0oaOTHERCLIENT0000000',
        secret: SECRET,
        issuerUri: oidc.issuer,
        connectionType: 'OKTA',
      },
    });
    expect(post.status).toBe(200);
    const r = await runCli(['connector', 'show'], {
      env: { ...env(api.url), CORTEX_SSO_PROFILE: 'drift-test', CORTEX_SSO_CLIENT_ID: undefined },
    });
    noStack(r);
    const code = 'CONNECTOR_DRIFT';
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`[${code}]`);
    expect(r.stdout).toContain('Cortex holds 2 OIDC connections');
    expect(r.stdout).not.toContain(SECRET);
  });
});

// ── Ctrl+C ───────────────────────────────────────────────────────────────────

describe('diagnose: interrupted', () => {
  it('SIGINT mid-run (a listener that never answers) exits 130 at once, JSON stdout empty', async () => {
    // A blackhole: accepts the connection and never says a word, so the TLS step waits.
    const sockets = new Set<net.Socket>();
    let connected: () => void = () => {};
    const reached = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const hole = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      connected();
    });
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
    const { port } = hole.address() as net.AddressInfo;
    try {
      let pid: number | undefined;
      let sentAt = 0;
      const run = runCli(['diagnose', '--issuer', `https://127.0.0.1:${port}`, '--json', '--timeout', '60'], {
        onSpawn: (p) => {
          pid = p;
        },
        timeoutMs: 30_000,
      });
      await reached;
      sentAt = Date.now();
      // Never pid 0: that would signal the whole test run's process group.
      expect(pid).toBeGreaterThan(0);
      process.kill(pid as number, 'SIGINT');
      const r = await run;
      expect(Date.now() - sentAt).toBeLessThan(5_000);
      expect(r.code).toBe(130);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/interrupted/);
      noStack(r);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => hole.close(() => resolve()));
    }
  });
});
