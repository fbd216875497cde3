// A run without the real keyring must say so: the closing summary counts the skipped tests and
// gives the reason, so a machine without gnome-keyring cannot pass off 40 skipped tests as green.
// Runs a small part of the suite in a nested vitest with no keyring tools on PATH.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { expect, it } from 'vitest';
import { ROOT, tempDir } from './support/cli.ts';
import { spawnCollect } from './support/spawn.ts';

it('a run without gnome-keyring ends with how many tests it skipped and why', async () => {
  const bin = join(tempDir('cortex-sso-nokeyring-'), 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const env: NodeJS.ProcessEnv = { PATH: bin, HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' };
  const r = await spawnCollect(
    process.execPath,
    [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/secrets/keychain.test.ts'],
    { env, cwd: ROOT, timeoutMs: 60_000 },
  );
  const out = stripVTControlCharacters(r.stdout);
  expect(r.code, r.stderr).toBe(0);
  const summary =
    /\n(\d+) passed, 0 failed, (\d+) skipped\nSkipped (\d+), by reason:\n((?: +\d+ {2}.*\n)+)/.exec(out);
  expect(summary, out.slice(-2000)).not.toBeNull();
  const [, , skipped, again, reasons] = summary ?? [];
  expect(Number(skipped)).toBeGreaterThan(0);
  expect(again).toBe(skipped);
  expect(reasons).toMatch(
    new RegExp(
      `^ +${skipped} {2}no real keyring \\(missing .*gnome-keyring-daemon.*apt-get install .*gnome-keyring`,
      'm',
    ),
  );
});
