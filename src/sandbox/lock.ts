// One sandbox per configuration directory. Two would share its files: the second would rewrite the
// first's settings file and API state under it, and `--reset` would replace the CA and key a running
// one serves. A pid file, created atomically, says which process owns the directory; one whose
// process is gone (killed, crashed) is taken over.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CortexSsoError } from '../errors.js';

export interface SandboxLock {
  /** Give the directory up (only if this process still holds it). */
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is someone else's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Take the directory of `file` for this process, or say which sandbox holds it (a usage error). */
export function takeSandboxLock(file: string): SandboxLock {
  const mine = `${process.pid}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, mine, { flag: 'wx', mode: 0o600 });
      return {
        release: () => {
          if (holder(file) === process.pid) rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = holder(file);
      if (pid !== undefined && pid !== process.pid && alive(pid)) {
        throw new CortexSsoError(
          'USAGE',
          `a sandbox already runs from ${dirname(file)} (process ${pid}); stop it (Ctrl+C in its terminal), or start this one with another CORTEX_SSO_CONFIG_DIR (if no sandbox runs, delete ${file})`,
        );
      }
      rmSync(file, { force: true }); // left by a sandbox that did not stop cleanly
    }
  }
  throw new CortexSsoError(
    'USAGE',
    `${file}: another sandbox is starting from the same directory; try again`,
  );
}
