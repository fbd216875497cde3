// The canary: known, unique values for the client secret and the API tokens go through a whole
// set -> show -> verify -> delete run of the real binary (text, --verbose and --json), plus its
// error paths, and must never come out anywhere: stdout, stderr, the config directory, any
// process's argv (recorded, and read from /proc while the command is mid-run), the API's log.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CortexApi } from '../../src/sandbox/cortex-api.js';
import { BIN, type CliResult, runCli, tempDir } from '../support/cli.ts';
import { startConnectorWorld } from '../support/connector-world.ts';
import type { OidcIssuer } from '../support/oidc-issuer.ts';

const skip = inject('keyringSkipReason');
const onLinux = process.platform === 'linux';

const CLIENT_ID = '0oa1a2b3c4d5e6f7g8h9';
const canary = (tag: string) => `${tag}${randomBytes(20).toString('hex')}`;
const SECRET = canary('CanarySecret');
const TOKEN_KEYCHAIN = canary('CanaryTokenKc');
const TOKEN_ENV = canary('CanaryTokenEnv');
const WRONG_TOKEN = canary('CanaryWrongToken');
const WRONG_SECRET = canary('CanaryWrongSecret');
const CANARIES = { SECRET, TOKEN_KEYCHAIN, TOKEN_ENV, WRONG_TOKEN, WRONG_SECRET };
const CALLBACK = 'https://cortexapp.auth0.com/login/callback';

let issuer: OidcIssuer;
let api: CortexApi;
let dir: string;
let caFile: string;
const apiLog: string[] = [];

interface Run extends CliResult {
  args: string[];
}
const runs: Run[] = [];
/** Command lines of the CLI and its descendants, read from /proc while it was running. */
const seenCmdlines: string[] = [];
let running: number | undefined;

/** Every process under `root` (itself included), from /proc/<pid>/stat's parent pid. */
function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(e), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (tree.includes(ppid) && !tree.includes(pid)) {
        tree.push(pid);
        grew = true;
      }
    }
  }
  return tree;
}

/** Read the argv of the running CLI and everything it started, as `ps` would show it. */
function snapshotCmdlines(): number {
  if (!onLinux || running === undefined) return 0;
  let count = 0;
  for (const pid of processTree(running)) {
    try {
      seenCmdlines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
      count += 1;
    } catch {
      // exited meanwhile
    }
  }
  return count;
}

/** The real binary, recorded in `runs`; `running` names it while it runs, for the /proc snapshots. */
async function cli(args: string[], env: Record<string, string | undefined>, stdin?: string): Promise<Run> {
  let result: CliResult;
  try {
    result = await runCli(args, {
      env,
      stdin: stdin ?? '',
      onSpawn: (pid) => {
        running = pid;
      },
    });
  } finally {
    running = undefined;
  }
  const r = { args, ...result };
  runs.push(r);
  return r;
}

function env(profile: string, extra: Record<string, string | undefined> = {}) {
  return {
    CORTEX_BASE_URL: api.url,
    CORTEX_SSO_CONFIG_DIR: dir,
    CORTEX_SSO_PUBLIC_CA_FILE: caFile,
    CORTEX_SSO_PROFILE: profile,
    CORTEX_CONFIG: join(dir, 'no-cortex-cli-config'),
    ...extra,
  };
}

const SET = ['connector', 'set', '--type', 'okta', '--client-id', CLIENT_ID, '--client-secret-stdin'];

function filesUnder(root: string): string[] {
  return readdirSync(root).flatMap((e) => {
    const p = join(root, e);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Asserts no canary value is in `text`; names the value and where, never prints it. */
function expectClean(where: string, text: string): void {
  for (const [name, value] of Object.entries(CANARIES)) {
    expect(text.includes(value), `${name} found in ${where}`).toBe(false);
    // Nor a long piece of it (e.g. a truncated echo); the last four alone are allowed.
    expect(text.includes(value.slice(-16, -4)), `part of ${name} found in ${where}`).toBe(false);
  }
}

/** Nothing leaked by the runs since `mark`, nor into the config directory or the API's log. */
function expectNoLeak(mark: { runs: number; cmdlines: number }): void {
  const mine = runs.slice(mark.runs);
  expect(mine.length).toBeGreaterThan(0);
  for (const r of mine) {
    const what = `\`${r.args.join(' ')}\``;
    expectClean(`stdout of ${what}`, r.stdout);
    expectClean(`stderr of ${what}`, r.stderr);
    expectClean(`argv of ${what}`, r.argv.join(' '));
  }
  if (onLinux) {
    // Proves snapshots were taken mid-command: the CLI itself is among them.
    const cmdlines = seenCmdlines.slice(mark.cmdlines);
    expect(cmdlines.some((c) => c.includes(BIN))).toBe(true);
    for (const c of cmdlines) expectClean('a /proc/<pid>/cmdline', c);
  }
  for (const f of filesUnder(dir)) expectClean(f, readFileSync(f, 'utf8'));
  expectClean('the API access log', apiLog.join('\n'));
}

const mark = () => ({ runs: runs.length, cmdlines: seenCmdlines.length });

beforeAll(async () => {
  dir = tempDir();
  ({ issuer, api, caFile } = await startConnectorWorld({
    caDir: tempDir(),
    clients: [{ clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [CALLBACK] }],
    api: {
      tokens: [TOKEN_KEYCHAIN, TOKEN_ENV],
      log: (line) => apiLog.push(line),
      // Mid-command (the CLI is waiting for this answer): read its argv, and its children's.
      beforeHandle: () => {
        snapshotCmdlines();
      },
    },
  }));
});

afterAll(async () => {
  await api?.close();
  await issuer?.close();
});

describe.skipIf(skip !== '')('canary: the secret and the tokens never come out', { timeout: 120_000 }, () => {
  it('token from the keychain (auth login --with-token): full lifecycle, text, --verbose and --json', async () => {
    const m = mark();
    const p = `canary-kc-${process.pid}`;
    const e = env(p);
    const issuerArg = ['--issuer', issuer.issuer];

    const login = await cli(['auth', 'login', '--with-token'], e, `${TOKEN_KEYCHAIN}\n`);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`****${TOKEN_KEYCHAIN.slice(-4)}`);

    const status = await cli(['auth', 'status', '--json'], e);
    expect(JSON.parse(status.stdout)).toMatchObject({ source: 'keychain' });

    const set = await cli([...SET, ...issuerArg, '--verbose', '--yes'], e, SECRET);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/Pushed/);
    expect(set.stdout).toContain(`****${SECRET.slice(-4)}`);
    const setJson = await cli([...SET, ...issuerArg, '--verbose', '--json'], e, `${SECRET}\n`);
    expect(setJson.code).toBe(0);
    expect(JSON.parse(setJson.stdout)).toMatchObject({ ok: true, pushed: true });

    expect((await cli(['connector', 'show'], e)).code).toBe(0);
    expect(JSON.parse((await cli(['connector', 'show', '--json'], e)).stdout).drift).toEqual([]);

    const verify = await cli(['connector', 'verify', '--verbose'], e);
    expect(verify.code).toBe(0);
    const verifyJson = await cli(['connector', 'verify', '--verbose', '--json'], e);
    expect(verifyJson.code).toBe(0);
    // The checks compared the values with the connection Cortex holds, using the key.
    const verified = JSON.parse(verifyJson.stdout);
    expect(verified.ok).toBe(true);
    expect(verified.results[0].checks.find((c: { id: string }) => c.id === 'cortex-connection').status).toBe(
      'pass',
    );

    expect((await cli(['connector', 'delete', '--yes'], e)).code).toBe(0);
    // Nothing left to delete: named, exit 1, and still nothing leaks.
    expect(JSON.parse((await cli(['connector', 'delete', '--yes', '--json'], e)).stdout)).toMatchObject({
      ok: false,
      error: { code: 'CONNECTOR_NOT_FOUND' },
    });
    expect((await cli(['auth', 'logout'], e)).code).toBe(0);
    expect((await cli(['auth', 'status'], e)).code).toBe(1);
    expectNoLeak(m);
  });

  it('token from CORTEX_API_KEY: full lifecycle, text, --verbose and --json', async () => {
    const m = mark();
    const p = `canary-env-${process.pid}`;
    const e = env(p, { CORTEX_API_KEY: TOKEN_ENV, CORTEX_SSO_ISSUER: issuer.issuer });

    const status = await cli(['auth', 'status'], e);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`CORTEX_API_KEY (****${TOKEN_ENV.slice(-4)})`);

    expect((await cli([...SET, '--verbose', '--yes'], e, SECRET)).code).toBe(0);
    expect((await cli([...SET, '--json', '--verbose', '--dry-run'], e, SECRET)).code).toBe(0);
    expect((await cli(['connector', 'show', '--json'], e)).code).toBe(0);
    expect((await cli(['connector', 'show'], e)).code).toBe(0);
    // The secret from the environment too (CI style).
    const ciEnv = { ...e, CI: 'true', CORTEX_SSO_CLIENT_SECRET: SECRET };
    expect((await cli(['connector', 'verify', '--verbose'], ciEnv)).code).toBe(0);
    expect((await cli(['connector', 'verify', '--json'], e)).code).toBe(0);
    expect((await cli(['connector', 'delete', '--yes', '--json'], e)).code).toBe(0);
    expectNoLeak(m);
  });

  it('a wrong API token (401) is not echoed, from the environment or the keychain', async () => {
    const m = mark();
    const p = `canary-wrong-${process.pid}`;
    const e = env(p, { CORTEX_API_KEY: WRONG_TOKEN });
    const set = await cli([...SET, '--issuer', issuer.issuer, '--yes'], e, SECRET);
    expect(set.code).toBe(1);
    expect(set.stderr).toMatch(/401|unauthori[sz]ed|token/i);
    const setJson = await cli([...SET, '--issuer', issuer.issuer, '--json'], e, SECRET);
    expect(setJson.code).toBe(1);
    expect(JSON.parse(setJson.stdout)).toMatchObject({ ok: false, error: { code: 'API_UNAUTHORIZED' } });
    const show = await cli(['connector', 'show', '--json'], e);
    expect(show.stdout).toMatch(/API_UNAUTHORIZED/);
    expect((await cli(['connector', 'delete', '--yes'], e)).code).toBe(1);

    const kc = env(`${p}-kc`);
    expect((await cli(['auth', 'login', '--with-token'], kc, WRONG_TOKEN)).code).toBe(0);
    const fromKeychain = await cli([...SET, '--issuer', issuer.issuer, '--yes', '--verbose'], kc, SECRET);
    expect(fromKeychain.code).toBe(1);
    expect(fromKeychain.stderr).toMatch(/401|unauthori[sz]ed|token/i);
    expect((await cli(['auth', 'logout'], kc)).code).toBe(0);
    expectNoLeak(m);
  });

  it('a client secret that fails the pre-flight is not echoed', async () => {
    const m = mark();
    const p = `canary-badsecret-${process.pid}`;
    const e = env(p, { CORTEX_API_KEY: TOKEN_ENV });
    const set = await cli([...SET, '--issuer', issuer.issuer, '--yes', '--verbose'], e, WRONG_SECRET);
    expect(set.code).toBe(1);
    expect(set.stdout).toMatch(/CREDENTIALS_INVALID/);
    const setJson = await cli([...SET, '--issuer', issuer.issuer, '--json', '--verbose'], e, WRONG_SECRET);
    expect(setJson.code).toBe(1);
    expect(JSON.parse(setJson.stdout)).toMatchObject({ ok: false, code: 'PREFLIGHT_FAILED' });

    const verifyEnv = {
      ...e,
      CORTEX_SSO_CLIENT_ID: CLIENT_ID,
      CORTEX_SSO_ISSUER: issuer.issuer,
      CORTEX_SSO_CLIENT_SECRET: WRONG_SECRET,
    };
    const verify = await cli(['connector', 'verify', '--verbose'], verifyEnv);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/CREDENTIALS_INVALID/);
    expect((await cli(['connector', 'verify', '--json', '--verbose'], verifyEnv)).code).toBe(1);
    expectNoLeak(m);
  });
});
