// `auth login / status / logout` as a user's shell or CI runs them: the real binary and the real
// Secret Service on a private bus. The token only ever travels through stdin or the environment.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { assertBuilt, BIN, baseEnv, type CliResult, runCli, tempDir } from '../support/cli.ts';
import { secretTool } from '../support/keyring.ts';

const skip = inject('keyringSkipReason');
const bus = inject('keyringBusAddress');
const TOKEN = `Tok${randomBytes(18).toString('hex')}`;
const ENV_TOKEN = `Env${randomBytes(18).toString('hex')}`;
const dir = tempDir();
let n = 0;
const outputs: string[] = [];

function profile(): string {
  n += 1;
  return `a${n}-${process.pid}`;
}

function env(p: string, extra: Record<string, string | undefined> = {}) {
  return {
    CORTEX_SSO_CONFIG_DIR: dir,
    CORTEX_SSO_PROFILE: p,
    CORTEX_API_KEY: undefined,
    CORTEX_CONFIG: `${dir}/no-cortex-cli-config`,
    ...extra,
  };
}

async function cli(
  args: string[],
  e: Record<string, string | undefined>,
  stdin?: string,
): Promise<CliResult> {
  const r = await runCli(args, { env: e, timeoutMs: 30_000, ...(stdin !== undefined ? { stdin } : {}) });
  outputs.push(r.stdout, r.stderr, r.argv.join(' '));
  return r;
}

async function storedToken(p: string): Promise<string> {
  const r = await secretTool({ env: { DBUS_SESSION_BUS_ADDRESS: bus } }, [
    'lookup',
    'service',
    'cortex-sso',
    'username',
    `api-token:${p}`,
  ]);
  return r.stdout;
}

function expectNoToken(): void {
  const all = outputs.join('\n');
  expect(all.includes(TOKEN), 'the token was printed or passed in argv').toBe(false);
  expect(all.includes(ENV_TOKEN), 'the env token was printed or passed in argv').toBe(false);
}

describe.skipIf(skip !== '')('auth (real keychain)', () => {
  it('login --with-token reads stdin, status reports the keychain and the last four, logout removes it', async () => {
    const p = profile();
    const login = await cli(['auth', 'login', '--with-token'], env(p), `${TOKEN}\n`);
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`Stored the Cortex API token (****${TOKEN.slice(-4)}) for profile "${p}"`);
    expect(await storedToken(p)).toBe(TOKEN); // the trailing newline was not stored

    const status = await cli(['auth', 'status'], env(p));
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      `Profile "${p}": Cortex API key from the keychain (****${TOKEN.slice(-4)})`,
    );

    const json = await cli(['auth', 'status', '--json'], env(p));
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ profile: p, source: 'keychain', tokenLastFour: TOKEN.slice(-4) });
    expect(typeof doc.keychain).toBe('string');
    expect(doc.code).toBeUndefined();

    const logout = await cli(['auth', 'logout'], env(p));
    expect(logout.code).toBe(0);
    expect(logout.stdout).toContain(`Removed the stored API token for profile "${p}"`);
    expect(await storedToken(p)).toBe('');

    const after = await cli(['auth', 'status'], env(p));
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/no Cortex API key \(SECRET_NOT_FOUND\)/);
    expect(after.stdout).toMatch(/auth login --with-token/);

    const again = await cli(['auth', 'logout', '--json'], env(p));
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ profile: p, deleted: false, envTokenSet: false });
    expectNoToken();
  });

  it('status: exit 1 and a JSON "none" state when there is no token', async () => {
    const p = profile();
    const r = await cli(['auth', 'status', '--json'], env(p));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      profile: p,
      source: 'none',
      tokenLastFour: '',
      keychain: expect.any(String),
      code: 'SECRET_NOT_FOUND',
    });
  });

  it('status prefers CORTEX_API_KEY, and logout says the environment token stays in use', async () => {
    const p = profile();
    expect((await cli(['auth', 'login', '--with-token'], env(p), TOKEN)).code).toBe(0);
    const e = env(p, { CORTEX_API_KEY: ENV_TOKEN });
    const status = await cli(['auth', 'status', '--json'], e);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ source: 'env', tokenLastFour: ENV_TOKEN.slice(-4) });

    const logout = await cli(['auth', 'logout'], e);
    expect(logout.code).toBe(0);
    expect(logout.stdout).toMatch(/CORTEX_API_KEY is still set in the environment and will be used/);
    expect(await storedToken(p)).toBe('');
    expectNoToken();
  });

  it('--profile keeps tokens apart', async () => {
    const a = profile();
    const b = profile();
    expect((await cli(['auth', 'login', '--with-token', '--profile', a], env('ignored'), TOKEN)).code).toBe(
      0,
    );
    expect((await cli(['auth', 'status', '--profile', b], env('ignored'))).code).toBe(1);
    expect((await cli(['auth', 'status', '--profile', a], env('ignored'))).code).toBe(0);
    expect((await cli(['auth', 'logout', '--profile', a], env('ignored'))).code).toBe(0);
    expectNoToken();
  });

  it('login without --with-token: exit 2, says how, stores nothing', async () => {
    const p = profile();
    const r = await cli(['auth', 'login'], env(p), TOKEN);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--with-token/);
    expect(r.stderr).toMatch(/stdin/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await storedToken(p)).toBe('');
    expectNoToken();
  });

  it('refuses an empty token or one with several lines', async () => {
    const p = profile();
    const empty = await cli(['auth', 'login', '--with-token'], env(p), '\n');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/empty/);
    const two = await cli(['auth', 'login', '--with-token'], env(p), `${TOKEN}\n${TOKEN}\n`);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/whitespace or more than one line/);
    expect(await storedToken(p)).toBe('');
    expectNoToken();
  });
});

// No keychain needed: these fail before any is touched.
describe('auth: a token is never taken as a flag value', () => {
  it.each([
    [['auth', 'login', '--token', 'VALUE']],
    [['auth', 'login', '--token=VALUE']],
    [['auth', 'login', '--with-token=VALUE']],
    [['auth', 'login', '--with-token', 'VALUE']],
    [['auth', 'login', '--token=VALUE', '--json']],
  ])('%j: exit 2, not stored, the value not echoed', async (args) => {
    const value = `Flag${randomBytes(12).toString('hex')}`;
    const argv = args.map((a) => a.replace('VALUE', value));
    const p = profile();
    const r = await runCli(argv, { env: env(p), timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--(with-)?token|too many arguments for 'login'/);
    if (argv.includes('--json')) expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'USAGE' } });
    else expect(r.stdout).toBe('');
    expect(r.stderr.includes(value), 'the value was echoed to stderr').toBe(false);
    expect(r.stdout.includes(value), 'the value was echoed to stdout').toBe(false);
    if (skip === '') expect(await storedToken(p)).toBe('');
  });
});

const SCRIPT = '/usr/bin/script';

/**
 * `auth login` on a real pseudo-terminal (util-linux `script`): waits for `waitFor` to be drawn,
 * then types `typed` and Enter, as a person would. Returns everything the terminal showed.
 */
function loginOnPty(
  args: string,
  env: Record<string, string | undefined>,
  waitFor: RegExp,
  typed: string,
): Promise<{ screen: string; code: number | null; sawPrompt: boolean }> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(SCRIPT, ['-qfec', `${process.execPath} ${BIN} auth login ${args}`, '/dev/null'], {
      env: { ...baseEnv(), TERM: 'xterm', ...env } as NodeJS.ProcessEnv,
    });
    let screen = '';
    let sawPrompt = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      screen += d;
      if (!sawPrompt && waitFor.test(stripVTControlCharacters(screen))) {
        sawPrompt = true;
        // One key at a time, like typing; then Enter.
        const keys = [...typed, '\r'];
        const typeNext = () => {
          const k = keys.shift();
          if (k === undefined) return;
          child.stdin.write(k);
          setTimeout(typeNext, 5);
        };
        typeNext();
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ screen, code, sawPrompt });
    });
  });
}

describe.skipIf(process.platform !== 'linux' || !existsSync(SCRIPT))('auth login at a terminal', () => {
  it.each([[''], ['--with-token']])(
    'login %s asks for the token with a masked prompt and never draws it',
    async (flag) => {
      const p = profile();
      const typed = `Pty${randomBytes(16).toString('hex')}`;
      const r = await loginOnPty(
        flag,
        { ...env(p), DBUS_SESSION_BUS_ADDRESS: bus || undefined },
        /Cortex API token \(input is hidden\)/,
        typed,
      );
      expect(r.sawPrompt, `no prompt was drawn: ${stripVTControlCharacters(r.screen)}`).toBe(true);
      expect(r.screen.includes(typed), 'the typed token was drawn on the terminal').toBe(false);
      expect(r.screen).toContain('*'.repeat(typed.length));
      if (skip === '') {
        expect(r.code).toBe(0);
        expect(stripVTControlCharacters(r.screen)).toContain(`(****${typed.slice(-4)}) for profile "${p}"`);
        expect(await storedToken(p)).toBe(typed);
      } else {
        // No keychain here: the failure is the keychain's, after the masked prompt.
        expect(r.code).toBe(1);
        expect(r.screen).toMatch(/KEYCHAIN|keychain/);
      }
    },
  );

  it('login --okta --with-token at a terminal asks for the Okta token masked, as the Cortex one, never echoing it', async () => {
    const p = profile();
    // Short enough that the masked line does not wrap on an 80-column terminal.
    const typed = `Okta${randomBytes(6).toString('hex')}`;
    const r = await loginOnPty(
      '--okta --with-token',
      { ...env(p), DBUS_SESSION_BUS_ADDRESS: bus || undefined },
      /Okta API token \(read-only admin; input hidden\)/,
      typed,
    );
    expect(r.sawPrompt, `no prompt was drawn: ${stripVTControlCharacters(r.screen)}`).toBe(true);
    expect(r.screen.includes(typed), 'the typed token was drawn on the terminal').toBe(false);
    expect(r.screen).toContain('*'.repeat(typed.length));
    expect(r.code).toBe(skip === '' ? 0 : 1);
  });

  it('with prompting off (CI) and stdin at a terminal: refuses at once with a usage message', async () => {
    const p = profile();
    const started = Date.now();
    const r = await loginOnPty('--with-token', { ...env(p), CI: 'true' }, /error:/, '');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.code).toBe(2);
    const text = stripVTControlCharacters(r.screen);
    expect(text).toMatch(
      /error: stdin is a terminal and prompting is off \(CI or --no-input\): pipe the Cortex API token in/,
    );
    if (skip === '') expect(await storedToken(p)).toBe('');
  });
});
