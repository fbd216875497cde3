import { execFile } from 'node:child_process';
import type { Code } from '../codes.js';
import { CortexSsoError } from '../errors.js';
import { Secret } from '../secret.js';

/** The OS keychain, as the rest of the tool sees it. Every call is bounded by a timeout. */
export interface Keychain {
  get(account: string): Promise<Secret | null>;
  set(account: string, secret: Secret): Promise<void>;
  delete(account: string): Promise<boolean>;
  /** where secrets live, for display: e.g. "Linux Secret Service (service cortex-sso)" */
  readonly description: string;
}

/** The raw store under the wrapper: no timeouts, no error mapping. Tests inject fakes here. */
export interface KeychainBackend {
  readonly description: string;
  get(account: string, signal: AbortSignal): Promise<string | null>;
  set(account: string, value: string, signal: AbortSignal): Promise<void>;
  delete(account: string, signal: AbortSignal): Promise<boolean>;
  /**
   * Whether the store is locked: true/false when the backend can tell, undefined when it cannot.
   * Asked only after a read found nothing or a delete deleted nothing, since a locked Linux
   * Secret Service answers those as "not found".
   */
  isLocked?(signal: AbortSignal): Promise<boolean | undefined>;
}

export const DEFAULT_SERVICE = 'cortex-sso';
export const DEFAULT_TIMEOUT_MS = 5000;

export function clientSecretAccount(profile: string): string {
  return `client-secret:${profile}`;
}

export function apiTokenAccount(profile: string): string {
  return `api-token:${profile}`;
}

export function createOsKeychain(opts?: {
  service?: string;
  timeoutMs?: number;
  /** Replaces the real store (tests: a slow or failing fake). */
  backend?: KeychainBackend;
  /** Environment for the Linux lock probe (dbus-send); default process.env, which the native store reads too. */
  env?: Record<string, string | undefined>;
}): Keychain {
  const backend = opts?.backend ?? napiBackend(opts?.service ?? DEFAULT_SERVICE, opts?.env ?? process.env);
  return keychainFromBackend(backend, { timeoutMs: opts?.timeoutMs ?? DEFAULT_TIMEOUT_MS });
}

/** Wraps a backend with a timeout per call, error codes, lock detection and read-back after writes. */
export function keychainFromBackend(backend: KeychainBackend, opts: { timeoutMs: number }): Keychain {
  const { timeoutMs } = opts;
  const where = backend.description;

  async function lockedCheck(signal: AbortSignal): Promise<boolean> {
    if (!backend.isLocked) return false;
    try {
      return (await backend.isLocked(signal)) === true;
    } catch {
      return false;
    }
  }

  function lockedError(action: string): CortexSsoError {
    return new CortexSsoError('KEYCHAIN_LOCKED', `Cannot ${action}: the keychain (${where}) is locked.`);
  }

  return {
    description: where,

    get(account) {
      const who = describeAccount(account);
      return withDeadline(timeoutMs, `read ${who} from ${where}`, async (signal) => {
        let value: string | null;
        try {
          value = await backend.get(account, signal);
        } catch (err) {
          throw mapError(err, `read ${who}`, where);
        }
        if (value === null) {
          if (await lockedCheck(signal)) throw lockedError(`read ${who}`);
          return null;
        }
        return new Secret(value);
      });
    },

    set(account, secret) {
      const value = secret.reveal();
      const who = describeAccount(account);
      return withDeadline(
        timeoutMs,
        `store ${who} in ${where}`,
        async (signal) => {
          try {
            await backend.set(account, value, signal);
          } catch (err) {
            throw mapError(err, `store ${who}`, where, value);
          }
          let readBack: string | null;
          try {
            readBack = await backend.get(account, signal);
          } catch (err) {
            throw mapError(err, `read back ${who}`, where, value);
          }
          if (readBack !== value) {
            if (await lockedCheck(signal)) throw lockedError(`store ${who}`);
            throw new CortexSsoError(
              'KEYCHAIN_UNAVAILABLE',
              `The keychain (${where}) accepted ${who} but reading it back ${readBack === null ? 'found nothing' : 'gave a different value'}: it was not stored.`,
            );
          }
        },
        value,
      );
    },

    delete(account) {
      const who = describeAccount(account);
      return withDeadline(timeoutMs, `delete ${who} from ${where}`, async (signal) => {
        let deleted: boolean;
        try {
          deleted = await backend.delete(account, signal);
        } catch (err) {
          throw mapError(err, `delete ${who}`, where);
        }
        if (!deleted && (await lockedCheck(signal))) throw lockedError(`delete ${who}`);
        return deleted;
      });
    },
  };
}

async function withDeadline<T>(
  timeoutMs: number,
  what: string,
  fn: (signal: AbortSignal) => Promise<T>,
  secretValue?: string,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(
        new CortexSsoError(
          'KEYCHAIN_TIMEOUT',
          `The keychain did not answer within ${timeoutMs} ms (${what}).`,
        ),
      );
    }, timeoutMs);
  });
  const work = fn(controller.signal);
  // The work may still settle after the deadline: keep that from becoming an unhandled rejection.
  work.catch(() => {});
  try {
    return await Promise.race([work, deadline]);
  } catch (err) {
    if (err instanceof CortexSsoError) throw err;
    throw mapError(err, what, '', secretValue);
  } finally {
    clearTimeout(timer);
  }
}

/** Turns a native keyring failure into a coded error whose text never holds the secret. */
export function mapError(err: unknown, action: string, where: string, secretValue?: string): CortexSsoError {
  if (err instanceof CortexSsoError) return err;
  const raw = scrub(err instanceof Error ? err.message : String(err), secretValue);
  const code = classify(raw);
  const place = where ? ` (${where})` : '';
  const lead: Record<Code & `KEYCHAIN_${string}`, string> = {
    KEYCHAIN_LOCKED: `Cannot ${action}: the keychain${place} is locked`,
    KEYCHAIN_UNAVAILABLE: `Cannot ${action}: the keychain${place} is not available`,
    KEYCHAIN_TIMEOUT: `Cannot ${action}: the keychain${place} did not answer`,
  };
  // The platform's own words go to the detail line only, so the message stays one readable line.
  return new CortexSsoError(code, `${lead[code]}.`, { detail: `The keychain said: ${raw}` });
}

/** "client-secret:work" -> 'the client secret of profile "work"', for messages people read. */
export function describeAccount(account: string): string {
  const [kind, profile] = account.split(':', 2);
  const what =
    kind === 'client-secret' ? 'the client secret' : kind === 'api-token' ? 'the Cortex API token' : account;
  return profile ? `${what} of profile "${profile}"` : what;
}

function classify(message: string): 'KEYCHAIN_LOCKED' | 'KEYCHAIN_UNAVAILABLE' | 'KEYCHAIN_TIMEOUT' {
  if (/prompt was dismissed|IsLocked|is locked|locked collection|locked object/i.test(message)) {
    return 'KEYCHAIN_LOCKED';
  }
  if (/abort|timed? ?out/i.test(message)) return 'KEYCHAIN_TIMEOUT';
  return 'KEYCHAIN_UNAVAILABLE';
}

function scrub(message: string, secretValue?: string): string {
  if (!secretValue) return message;
  return message.split(secretValue).join('****');
}

// ── the real store: @napi-rs/keyring ───────────────────────────────────────────

type NapiModule = typeof import('@napi-rs/keyring');
let napiModule: Promise<NapiModule> | undefined;

function loadNapi(): Promise<NapiModule> {
  // Loaded on first use: commands that never touch the keychain do not pay for the native addon.
  napiModule ??= import('@napi-rs/keyring');
  return napiModule;
}

export function platformDescription(service: string, platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'darwin':
      return `macOS Keychain (service ${service})`;
    case 'win32':
      return `Windows Credential Manager (service ${service})`;
    case 'linux':
      return `Linux Secret Service (service ${service})`;
    default:
      return `OS keychain (service ${service})`;
  }
}

function napiBackend(service: string, env: Record<string, string | undefined>): KeychainBackend {
  const isLinux = process.platform === 'linux';
  async function entry(account: string) {
    const { AsyncEntry } = await loadNapi();
    // On Linux the library silently falls back to the kernel keyring (lost on reboot) when no
    // Secret Service answers: pin the Secret Service so that case is reported, not hidden.
    // The constructor throws when the pinned store is unreachable.
    return new AsyncEntry(service, account, isLinux ? { linux: { store: 'secret-service' } } : undefined);
  }
  const backend: KeychainBackend = {
    description: platformDescription(service),
    async get(account, signal) {
      return (await entry(account)).getPassword(signal);
    },
    async set(account, value, signal) {
      await (await entry(account)).setPassword(value, signal);
    },
    async delete(account, signal) {
      return (await entry(account)).deleteCredential(signal);
    },
  };
  if (isLinux) backend.isLocked = (signal) => secretServiceLocked(env, signal);
  return backend;
}

// ── Linux: is the Secret Service's default collection locked? ──────────────────

const SS_DEST = 'org.freedesktop.secrets';
const SS_PATH = '/org/freedesktop/secrets';

type Runner = (
  file: string,
  args: string[],
  env: Record<string, string | undefined>,
  signal: AbortSignal,
) => Promise<string>;

const runTool: Runner = (file, args, env, signal) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { env, signal, timeout: 3000, encoding: 'utf8' }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout);
    });
  });

/**
 * Reads the `Locked` property of the Secret Service's default collection over D-Bus, with
 * `dbus-send` or else `gdbus`. Undefined when neither tool works or there is no default collection.
 */
export async function secretServiceLocked(
  env: Record<string, string | undefined>,
  signal: AbortSignal,
  run: Runner = runTool,
): Promise<boolean | undefined> {
  const tools: Array<{
    file: string;
    alias: string[];
    locked: (path: string) => string[];
    parseAlias: (out: string) => string | undefined;
    parseLocked: (out: string) => boolean | undefined;
  }> = [
    {
      file: 'dbus-send',
      alias: [
        '--session',
        '--print-reply=literal',
        `--dest=${SS_DEST}`,
        SS_PATH,
        'org.freedesktop.Secret.Service.ReadAlias',
        'string:default',
      ],
      locked: (path) => [
        '--session',
        '--print-reply=literal',
        `--dest=${SS_DEST}`,
        path,
        'org.freedesktop.DBus.Properties.Get',
        'string:org.freedesktop.Secret.Collection',
        'string:Locked',
      ],
      parseAlias: (out) => out.trim() || undefined,
      parseLocked: (out) =>
        /boolean\s+true/.test(out) ? true : /boolean\s+false/.test(out) ? false : undefined,
    },
    {
      file: 'gdbus',
      alias: [
        'call',
        '--session',
        '--dest',
        SS_DEST,
        '--object-path',
        SS_PATH,
        '--method',
        'org.freedesktop.Secret.Service.ReadAlias',
        'default',
      ],
      locked: (path) => [
        'call',
        '--session',
        '--dest',
        SS_DEST,
        '--object-path',
        path,
        '--method',
        'org.freedesktop.DBus.Properties.Get',
        'org.freedesktop.Secret.Collection',
        'Locked',
      ],
      parseAlias: (out) => /'([^']*)'/.exec(out)?.[1],
      parseLocked: (out) => (/<true>/.test(out) ? true : /<false>/.test(out) ? false : undefined),
    },
  ];
  for (const tool of tools) {
    try {
      const path = tool.parseAlias(await run(tool.file, tool.alias, env, signal));
      if (path === undefined || path === '/' || !path.startsWith('/')) return undefined;
      return tool.parseLocked(await run(tool.file, tool.locked(path), env, signal));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // tool not installed: try the next
      return undefined;
    }
  }
  return undefined;
}
