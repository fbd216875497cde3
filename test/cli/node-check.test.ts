// The launcher refuses a Node.js that is too old before anything loads: one line naming the version
// found, the one required (package.json "engines") and how to get it; exit 2, no stack trace.
// Run with the machine's own old Node (/usr/bin/node, e.g. Node 20) when there is one.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, baseEnv, ROOT } from '../support/cli.ts';
import { spawnCollect } from '../support/spawn.ts';

const OLD_NODE = '/usr/bin/node';
const engines: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node;
const [wantMajor = 0, wantMinor = 0] = (/(\d+)\.(\d+)/.exec(engines) ?? []).slice(1).map(Number);

function oldNodeVersion(): string | undefined {
  if (!existsSync(OLD_NODE)) return undefined;
  try {
    return execFileSync(OLD_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

const found = oldNodeVersion();
const [major = 0, minor = 0] = (found ?? '').split('.').map(Number);
const tooOld = found !== undefined && (major < wantMajor || (major === wantMajor && minor < wantMinor));

describe('Node.js version check in bin/cortex-sso.js', () => {
  it('on an old Node, diagnose exits 2 with one line naming both versions and the fix', async (ctx) => {
    if (!found) ctx.skip(`no ${OLD_NODE} on this machine to play the old Node`);
    if (!tooOld) ctx.skip(`${OLD_NODE} is Node ${found}, which satisfies engines ${engines}`);
    const r = await spawnCollect(OLD_NODE, [BIN, 'diagnose', '--issuer', 'https://acme.okta.com'], {
      env: baseEnv(),
      timeoutMs: 20_000,
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(r.stderr).toContain(`Node.js ${found} is too old`);
    expect(r.stderr).toContain(`needs Node.js ${engines}`);
    expect(r.stderr).toContain('https://nodejs.org/');
    expect(r.stderr).toContain('.nvmrc');
    expect(r.stderr).not.toMatch(/\n\s+at |TypeError|undici/);
  });

  it('on the Node running the tests, the launcher goes on to the CLI', async () => {
    const r = await spawnCollect(process.execPath, [BIN, '--version'], { env: baseEnv() });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(r.stderr).toBe('');
  });

  it('.nvmrc names a Node major that satisfies engines', () => {
    const nvmrc = readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim();
    expect(Number(nvmrc)).toBeGreaterThanOrEqual(wantMajor);
  });
});
