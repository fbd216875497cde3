// Runs the real, built CLI (bin/cortex-sso.js -> dist/cli.cjs) as a child process, the way a user's
// shell or CI does: argv, env and stdin in; exit code, stdout and stderr out.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCollect } from './spawn.ts';

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

/** A clean environment: no CI, no colours, no proxies, no Cortex CLI config, the private keyring's bus. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    NO_COLOR: '1',
    LANG: 'C.UTF-8',
    // Never the developer's own Cortex CLI config (~/.cortex/config); a test that wants one sets it.
    CORTEX_CONFIG: join(tmpdir(), 'cortex-sso-tests-no-cortex-cli-config'),
  };
  if (process.env.DBUS_SESSION_BUS_ADDRESS)
    env.DBUS_SESSION_BUS_ADDRESS = process.env.DBUS_SESSION_BUS_ADDRESS;
  if (process.env.NODE_EXTRA_CA_CERTS) env.NODE_EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS;
  return env;
}

export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli.cjs'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  }
}

export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  assertBuilt();
  const env: Record<string, string> = baseEnv();
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const argv = [BIN, ...args];
  const [cmd, ...pre] = opts.wrap?.length ? [...opts.wrap, process.execPath] : [process.execPath];
  const r = await spawnCollect(cmd ?? process.execPath, [...pre, ...argv], {
    env,
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.onSpawn ? { onSpawn: opts.onSpawn } : {}),
  });
  return { ...r, argv: [process.execPath, ...argv] };
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
