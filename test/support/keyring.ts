// A real Linux Secret Service for tests: gnome-keyring in a private D-Bus session, with its own
// temporary HOME so it never touches the user's keyring. Plain-node importable (erasable TS only).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const KEYRING_APT_PACKAGES = 'gnome-keyring dbus libsecret-tools';
export const KEYRING_TOOLS = ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon', 'secret-tool'] as const;

/** Name under which global-setup provides the bus address (see ProvidedContext in global-setup.ts). */
export const KEYRING_PROVIDE_KEY = 'keyringBusAddress';

export interface PrivateKeyring {
  env: { DBUS_SESSION_BUS_ADDRESS: string };
  /** The temporary HOME/XDG dirs the daemon uses; pass to secret-tool too. */
  home: string;
  /** Locks the login collection (a real lock, as after a screen lock with auto-lock). */
  lock(): Promise<void>;
  stop(): Promise<void>;
}

/** Which of the needed binaries are not on PATH (empty: all there). */
export function missingKeyringTools(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  return KEYRING_TOOLS.filter(
    (tool) =>
      !dirs.some((dir) => {
        try {
          accessSync(join(dir, tool), constants.X_OK);
          return true;
        } catch {
          return false;
        }
      }),
  );
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { env, timeout: opts.timeoutMs ?? 10_000, encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr: stderr || (err && !stderr ? String(err.message) : '') });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

async function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (!(await waitExit(child, 3000))) {
    child.kill('SIGKILL');
    await waitExit(child, 3000);
  }
}

/** Reads the first line a child prints on stdout, bounded. */
function firstLine(child: ChildProcess, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let stderr = '';
    const t = setTimeout(() => done(new Error(`no address from dbus-daemon within ${ms} ms: ${stderr}`)), ms);
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(undefined, buf.slice(0, nl).trim());
    };
    const onErr = (d: Buffer) => {
      stderr += d.toString('utf8');
    };
    const onExit = (code: number | null) => done(new Error(`dbus-daemon exited (${code}): ${stderr}`));
    function done(err?: Error, line?: string) {
      clearTimeout(t);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(line ?? '');
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onErr);
    child.once('exit', onExit);
    child.once('error', (e) => done(e));
  });
}

/** The environment a tool talking to this keyring needs (bus address, private HOME when known). */
export function keyringEnv(k: {
  env: { DBUS_SESSION_BUS_ADDRESS: string };
  home?: string;
}): NodeJS.ProcessEnv {
  const home = k.home;
  if (home === undefined) {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DBUS_SESSION_BUS_ADDRESS: k.env.DBUS_SESSION_BUS_ADDRESS,
    };
  }
  return {
    PATH: process.env.PATH,
    HOME: join(home, 'home'),
    XDG_DATA_HOME: join(home, 'home', '.local', 'share'),
    XDG_CONFIG_HOME: join(home, 'home', '.config'),
    XDG_RUNTIME_DIR: join(home, 'run'),
    DBUS_SESSION_BUS_ADDRESS: k.env.DBUS_SESSION_BUS_ADDRESS,
  };
}

/**
 * Starts dbus-daemon (minimal config: no service activation, so nothing else is started on this
 * bus) and gnome-keyring-daemon with an unlocked login keyring. Bounded: throws after ~15 s.
 */
export async function startPrivateKeyring(opts: { password?: string } = {}): Promise<PrivateKeyring> {
  const missing = missingKeyringTools();
  if (missing.length > 0) {
    throw new Error(`Missing ${missing.join(', ')}: install with apt-get install -y ${KEYRING_APT_PACKAGES}`);
  }
  const root = mkdtempSync(join(tmpdir(), 'cortex-kr-'));
  const home = join(root, 'home');
  const runDir = join(root, 'run');
  mkdirSync(join(home, '.local', 'share'), { recursive: true, mode: 0o700 });
  mkdirSync(join(home, '.config'), { recursive: true, mode: 0o700 });
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const busConf = join(root, 'bus.conf');
  writeFileSync(
    busConf,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=${root}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  );

  let bus: ChildProcess | undefined;
  let daemon: ChildProcess | undefined;
  const stop = async () => {
    await kill(daemon);
    await kill(bus);
    rmSync(root, { recursive: true, force: true });
  };

  try {
    bus = spawn('dbus-daemon', [`--config-file=${busConf}`, '--nofork', '--print-address=1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const address = await firstLine(bus, 5000);
    const k = { env: { DBUS_SESSION_BUS_ADDRESS: address }, home: root };
    const env = keyringEnv(k);

    // A NON-empty password: an empty one makes the daemon ask a (missing) prompter and no keyring is made.
    daemon = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
      env,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let daemonErr = '';
    daemon.stderr?.on('data', (d: Buffer) => {
      daemonErr += d.toString('utf8');
    });
    daemon.stdin?.end(opts.password ?? 'cortex-sso-test-keyring');

    // Ready when the login collection is the default one (it is created unlocked at start-up).
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await run(
        'dbus-send',
        [
          '--session',
          '--print-reply=literal',
          '--dest=org.freedesktop.secrets',
          '/org/freedesktop/secrets',
          'org.freedesktop.Secret.Service.ReadAlias',
          'string:default',
        ],
        env,
        { timeoutMs: 2000 },
      );
      if (r.code === 0 && r.stdout.trim().startsWith('/org/freedesktop/secrets/collection/')) break;
      if (daemon.exitCode !== null)
        throw new Error(`gnome-keyring-daemon exited (${daemon.exitCode}): ${daemonErr}`);
      if (Date.now() > deadline)
        throw new Error(`the Secret Service did not come up within 10 s: ${daemonErr}${r.stderr}`);
      await sleep(100);
    }

    return {
      env: k.env,
      home: root,
      async lock() {
        const r = await run(
          'dbus-send',
          [
            '--session',
            '--print-reply',
            '--dest=org.freedesktop.secrets',
            '/org/freedesktop/secrets',
            'org.freedesktop.Secret.Service.Lock',
            'array:objpath:/org/freedesktop/secrets/collection/login',
          ],
          env,
        );
        if (r.code !== 0) throw new Error(`Lock failed: ${r.stderr}`);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** `secret-tool` against a private keyring. */
export function secretTool(
  k: { env: { DBUS_SESSION_BUS_ADDRESS: string }; home?: string },
  args: string[],
): Promise<RunResult> {
  return run('secret-tool', args, keyringEnv(k), { timeoutMs: 10_000 });
}

export interface ChildOp {
  op: 'get' | 'set' | 'delete';
  account: string;
  /** for set; passed through the child's environment, never argv */
  value?: string;
}

export interface ChildOpResult {
  op: string;
  ok: boolean;
  value?: string | null;
  deleted?: boolean;
  code?: string;
  message?: string;
}

const CHILD_SCRIPT = `
import { registerHooks } from 'node:module';
registerHooks({
  resolve(specifier, context, next) {
    try { return next(specifier, context); }
    catch (err) {
      if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context);
      throw err;
    }
  },
});
const { createOsKeychain } = await import(process.env.KEYCHAIN_MODULE_URL);
const { Secret } = await import(process.env.SECRET_MODULE_URL);
const kc = createOsKeychain({ service: process.env.KEYCHAIN_SERVICE, timeoutMs: Number(process.env.KEYCHAIN_TIMEOUT_MS) });
const out = [];
for (const o of JSON.parse(process.env.KEYCHAIN_OPS)) {
  try {
    if (o.op === 'get') { const s = await kc.get(o.account); out.push({ op: o.op, ok: true, value: s === null ? null : s.reveal() }); }
    else if (o.op === 'set') { await kc.set(o.account, new Secret(o.value)); out.push({ op: o.op, ok: true }); }
    else { out.push({ op: o.op, ok: true, deleted: await kc.delete(o.account) }); }
  } catch (err) { out.push({ op: o.op, ok: false, code: err.code, message: err.message }); }
}
process.stdout.write(JSON.stringify(out));
`;

/**
 * Runs keychain operations in a fresh `node` process with the given environment. Needed because
 * the native store reads DBUS_SESSION_BUS_ADDRESS once per process and keeps its connection.
 */
export async function runKeychainInChild(opts: {
  env: NodeJS.ProcessEnv;
  service: string;
  ops: ChildOp[];
  timeoutMs?: number;
}): Promise<{ results: ChildOpResult[]; stdout: string; stderr: string }> {
  const srcRoot = new URL('../../src/', import.meta.url);
  const env: NodeJS.ProcessEnv = {
    ...opts.env,
    KEYCHAIN_MODULE_URL: new URL('secrets/keychain.ts', srcRoot).href,
    SECRET_MODULE_URL: new URL('secret.ts', srcRoot).href,
    KEYCHAIN_SERVICE: opts.service,
    KEYCHAIN_TIMEOUT_MS: String(opts.timeoutMs ?? 5000),
    KEYCHAIN_OPS: JSON.stringify(opts.ops),
  };
  const r = await run(process.execPath, ['--no-warnings', '--input-type=module', '-e', CHILD_SCRIPT], env, {
    timeoutMs: 20_000,
  });
  let results: ChildOpResult[] = [];
  try {
    results = JSON.parse(r.stdout) as ChildOpResult[];
  } catch {
    throw new Error(`keychain child failed (exit ${r.code}): ${r.stderr}`);
  }
  return { results, stdout: r.stdout, stderr: r.stderr };
}
