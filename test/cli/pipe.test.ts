// `cortex-sso ... | head -1`: when the reader goes away, the CLI stops writing without a stack trace
// and still exits with the command's own code (so `set -o pipefail` sees a failed check).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { assertBuilt, BIN, baseEnv } from '../support/cli.ts';

/** Run the CLI with a stdout nobody reads: the pipe is closed before the CLI writes. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: baseEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('output into a closed pipe', () => {
  it.each([
    [['--help'], 0],
    [['completion', 'bash'], 0],
    [['diagnose', '--issuer', 'https://127.0.0.1:1', '--timeout', '2'], 1],
  ])('%j exits %i with no stack trace', async (args, code) => {
    const r = await runWithClosedStdout(args as string[]);
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.code).toBe(code);
  });
});
