// Run a program to the end and collect what it printed: the one spawn loop shared by the CLI test
// harness (cli.ts) and the benchmarks (bench/measure.ts). Erasable TypeScript: plain node imports it.
import { spawn } from 'node:child_process';

export interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; omitted: stdin is closed at once. */
  stdin?: string;
  /** Kill the child after this long: a hang is a failure, not a stuck run. Default 60 s. */
  timeoutMs?: number;
  onSpawn?: (pid: number | undefined) => void;
  /** Working directory of the child (default: this process's). */
  cwd?: string;
}

export interface Collected {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function spawnCollect(cmd: string, args: string[], opts: SpawnOptions): Promise<Collected> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
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
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}
