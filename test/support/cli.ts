// Runs the real, built CLI (bin/cortex-sso.js -> dist/) as a child process, the way a user's
// shell or CI does: argv, env and stdin in; exit code, stdout and stderr out.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const BIN = join(ROOT, 'bin', 'cortex-sso.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The argv the child was started with: the canary tests check no secret is in it. */
  argv: string[];
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  /** Kill the child after this long (a hang is a failure, not a stuck suite). */
  timeoutMs?: number;
  /** Called with the child's pid as soon as it is started (e.g. to read /proc while it runs). */
  onSpawn?: (pid: number | undefined) => void;
  /** Run under another program, e.g. ['unshare', '-n'] for an isolated network namespace. */
  wrap?: string[];
}

/** A clean environment: no CI, no colours, no proxies, the private keyring's bus. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    NO_COLOR: '1',
    LANG: 'C.UTF-8',
  };
  if (process.env.DBUS_SESSION_BUS_ADDRESS)
    env.DBUS_SESSION_BUS_ADDRESS = process.env.DBUS_SESSION_BUS_ADDRESS;
  if (process.env.NODE_EXTRA_CA_CERTS) env.NODE_EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS;
  return env;
}

export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  }
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  assertBuilt();
  const env: Record<string, string> = baseEnv();
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const argv = [BIN, ...args];
  return new Promise((resolve, reject) => {
    const [cmd, ...pre] = opts.wrap?.length ? [...opts.wrap, process.execPath] : [process.execPath];
    const child = spawn(cmd ?? process.execPath, [...pre, ...argv], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    opts.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, argv: [process.execPath, ...argv] });
    });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();
  });
}

/** A fresh private directory (config dir, CA files). */
export function tempDir(prefix = 'cortex-sso-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeTemp(dir: string, name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}
