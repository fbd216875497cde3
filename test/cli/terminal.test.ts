// The CLI on a real pseudo-terminal (util-linux `script`): the spinner animates on stderr only
// where a terminal can show it, and never where it cannot (a zero-width pty made ora clear lines
// without end before io.canAnimate checked the width).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { assertBuilt, BIN, baseEnv } from '../support/cli.ts';

const SCRIPT = '/usr/bin/script';
const MAX_BYTES = 64 * 1024;

/** Run a shell command on a fresh pty; stop reading (and kill) past MAX_BYTES. */
function onPty(command: string): Promise<{ out: string; code: number | null; truncated: boolean }> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(SCRIPT, ['-qfec', command, '/dev/null'], {
      env: { ...baseEnv(), NO_COLOR: undefined, TERM: 'xterm' } as NodeJS.ProcessEnv,
    });
    let out = '';
    let truncated = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (out.length > MAX_BYTES) {
        truncated = true;
        child.kill('SIGKILL');
        return;
      }
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ out, code, truncated });
    });
    child.stdin.end();
  });
}

const strip = stripVTControlCharacters;
const cmd = `${process.execPath} ${BIN} diagnose --issuer https://acme-admin.okta.com`;

describe.skipIf(process.platform !== 'linux' || !existsSync(SCRIPT))('on a real terminal', () => {
  it('shows a spinner while checking, then the report, on a normal-sized terminal', async () => {
    const r = await onPty(`stty cols 100 rows 40; ${cmd}`);
    expect(r.truncated).toBe(false);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Checking…/);
    expect(strip(r.out)).toMatch(/ISSUER_ADMIN_DOMAIN[\s\S]*FAILED: 1 failed/);
  });

  it('does not animate on a zero-width terminal, and the output stays bounded', async () => {
    const r = await onPty(`stty cols 0 rows 0; ${cmd}`);
    expect(r.truncated).toBe(false);
    expect(r.code).toBe(1);
    expect(r.out).not.toMatch(/Checking…/);
    expect(strip(r.out)).toMatch(/FAILED: 1 failed/);
  });
});
