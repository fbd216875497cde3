import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { CortexSsoError } from '../errors.js';

/** Non-secret settings of one profile. Secrets live in the OS keychain, never here. */
export interface Profile {
  apiUrl?: string;
  type?: 'okta';
  clientId?: string;
  issuer?: string;
  redirectUri?: string;
  /** Cortex's id of the connection this profile pushed (from GET /api/v1/sso/configurations). */
  connectionId?: string;
  updatedAt?: string;
}

export interface ConfigStore {
  readonly path: string;
  getProfile(name: string): Profile | undefined;
  setProfile(name: string, profile: Profile): void;
  deleteProfile(name: string): boolean;
  listProfiles(): string[];
}

export const CONFIG_FILE_NAME = 'config.json';
export const PROFILE_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const PROFILE_KEYS = [
  'apiUrl',
  'type',
  'clientId',
  'issuer',
  'redirectUri',
  'connectionId',
  'updatedAt',
] as const;
/** Keys that look like they hold a secret: refused on write whatever the type says. */
const SECRET_KEY_PATTERN = /secret|token|password|passwd|credential|api.?key|private/i;

interface StoreShape {
  profiles?: Record<string, Profile>;
}

/**
 * The directory the config file lives in: CORTEX_SSO_CONFIG_DIR, else the OS user config dir
 * (Linux $XDG_CONFIG_HOME/cortex-sso or ~/.config/cortex-sso; macOS ~/Library/Preferences/cortex-sso;
 * Windows %APPDATA%\cortex-sso\Config).
 */
export function configDir(
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  const override = env.CORTEX_SSO_CONFIG_DIR;
  if (override) return path.resolve(override);
  const name = 'cortex-sso';
  if (platform === 'darwin') return path.join(home, 'Library', 'Preferences', name);
  if (platform === 'win32') {
    return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), name, 'Config');
  }
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), name);
}

export function assertProfileName(name: string): void {
  if (!PROFILE_NAME_PATTERN.test(name)) {
    throw new CortexSsoError(
      'INPUT_INVALID',
      `Invalid profile name ${JSON.stringify(name.slice(0, 80))}: use 1-64 letters, digits, ".", "_" or "-".`,
    );
  }
}

/** Refuses anything that is not a known, non-secret profile field. */
function cleanProfile(profile: Profile): Profile {
  const out: Profile = {};
  for (const [key, value] of Object.entries(profile as Record<string, unknown>)) {
    if (SECRET_KEY_PATTERN.test(key)) {
      throw new CortexSsoError(
        'INPUT_INVALID',
        `Refusing to write "${key}" to the config file: secrets belong in the OS keychain.`,
      );
    }
    if (!(PROFILE_KEYS as readonly string[]).includes(key)) {
      throw new CortexSsoError('INPUT_INVALID', `Unknown profile field "${key}".`);
    }
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      throw new CortexSsoError('INPUT_INVALID', `Profile field "${key}" must be a string.`);
    }
    if (key === 'type' && value !== 'okta') {
      throw new CortexSsoError('INPUT_INVALID', `Profile field "type" must be "okta".`);
    }
    (out as Record<string, string>)[key] = value;
  }
  return out;
}

/** Reads a profile from the file leniently: known string fields only. */
function readProfile(raw: unknown): Profile {
  const out: Profile = {};
  if (raw === null || typeof raw !== 'object') return out;
  for (const key of PROFILE_KEYS) {
    const value = (raw as Record<string, unknown>)[key];
    if (typeof value === 'string') (out as Record<string, string>)[key] = value;
  }
  if (out.type !== undefined && out.type !== 'okta') delete out.type;
  return out;
}

export function openConfigStore(opts: {
  dir?: string;
  env?: Record<string, string | undefined>;
}): ConfigStore {
  const dir = opts.dir ?? configDir(opts.env ?? process.env);
  const file = path.join(dir, CONFIG_FILE_NAME);
  let conf: Conf<StoreShape> | undefined;

  function invalid(err: unknown): CortexSsoError {
    // Already reported (store() failed inside profiles()): wrapping again would repeat the sentence.
    if (err instanceof CortexSsoError) return err;
    const reason = err instanceof Error ? err.message : String(err);
    // conf's own message already names the file ("The config file `…` is not valid JSON.").
    const message = reason.includes(file)
      ? reason.replaceAll('`', '')
      : `The config file ${file} cannot be read: ${reason}`;
    return new CortexSsoError('CONFIG_INVALID', message, { cause: err });
  }

  function store(): Conf<StoreShape> {
    if (conf) return conf;
    try {
      // conf creates the directory on its first read; create it first so it is private (0700).
      // An existing directory (e.g. CORTEX_SSO_CONFIG_DIR) keeps its mode.
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      conf = new Conf<StoreShape>({
        cwd: dir,
        configName: 'config',
        fileExtension: 'json',
        projectSuffix: '',
        // A damaged file is reported, never silently replaced by an empty one.
        clearInvalidConfig: false,
        configFileMode: 0o600,
        accessPropertiesByDotNotation: false,
        watch: false,
      });
    } catch (err) {
      throw invalid(err);
    }
    return conf;
  }

  function profiles(): Record<string, unknown> {
    let raw: unknown;
    try {
      raw = store().get('profiles');
    } catch (err) {
      throw invalid(err);
    }
    if (raw === undefined) return {};
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw invalid(new Error('"profiles" is not an object'));
    }
    return raw as Record<string, unknown>;
  }

  function write(next: Record<string, Profile>): void {
    try {
      store().set('profiles', next);
    } catch (err) {
      throw invalid(err);
    }
  }

  return {
    path: file,
    getProfile(name) {
      assertProfileName(name);
      const all = profiles();
      if (!Object.hasOwn(all, name)) return undefined;
      return readProfile(all[name]);
    },
    setProfile(name, profile) {
      assertProfileName(name);
      const clean = cleanProfile(profile);
      const all = profiles();
      const next: Record<string, Profile> = {};
      for (const [key, value] of Object.entries(all)) next[key] = readProfile(value);
      next[name] = clean;
      write(next);
    },
    deleteProfile(name) {
      assertProfileName(name);
      const all = profiles();
      if (!Object.hasOwn(all, name)) return false;
      const next: Record<string, Profile> = {};
      for (const [key, value] of Object.entries(all)) if (key !== name) next[key] = readProfile(value);
      write(next);
      return true;
    },
    listProfiles() {
      return Object.keys(profiles()).sort();
    },
  };
}
