// Global setup for the whole suite. Helpers that need a process-wide service (the private
// D-Bus session with gnome-keyring) register their start/stop here.
import type { TestProject } from 'vitest/node';
import { KEYRING_APT_PACKAGES, missingKeyringTools, startPrivateKeyring } from './keyring.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Address of the private session bus with an unlocked gnome-keyring; '' when unavailable. */
    keyringBusAddress: string;
    /** Why the real-keyring tests are skipped ('' when they run). */
    keyringSkipReason: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const teardowns: Array<() => Promise<void>> = [];

  // ── real Linux Secret Service (gnome-keyring on a private bus) ──────────────
  let busAddress = '';
  let skipReason = '';
  const missing = process.platform === 'linux' ? missingKeyringTools() : [];
  if (process.platform !== 'linux') {
    skipReason = `real-keyring tests run on Linux only (this is ${process.platform})`;
  } else if (missing.length > 0) {
    const msg = `missing ${missing.join(', ')}: apt-get install -y --no-install-recommends ${KEYRING_APT_PACKAGES}`;
    if (process.env.CI) throw new Error(`Real-keyring tests cannot run in CI: ${msg}`);
    skipReason = msg;
    console.warn(`[global-setup] skipping real-keyring tests: ${msg}`);
  } else {
    const keyring = await startPrivateKeyring();
    teardowns.push(() => keyring.stop());
    busAddress = keyring.env.DBUS_SESSION_BUS_ADDRESS;
    // Workers are forked after this runs and inherit it; tests also re-apply the injected value
    // before their first keychain call, since the native store reads it once per process.
    const previous = process.env.DBUS_SESSION_BUS_ADDRESS;
    process.env.DBUS_SESSION_BUS_ADDRESS = busAddress;
    teardowns.push(async () => {
      if (previous === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
      else process.env.DBUS_SESSION_BUS_ADDRESS = previous;
    });
  }
  project.provide('keyringBusAddress', busAddress);
  project.provide('keyringSkipReason', skipReason);

  return async () => {
    for (const t of teardowns.reverse()) await t();
  };
}
