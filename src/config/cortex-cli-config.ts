/**
 * Reads Cortex's own CLI configuration, `~/.cortex/config`, so an admin who already uses
 * cortexapps-cli needs no second API key. Read-only: this tool never writes that file.
 *
 * Source: cortexapps/cli `cortexapps_cli/cli.py` (global_callback): Python's configparser, one
 * section per tenant alias with keys `api_key` and `base_url`; `CORTEX_CONFIG` overrides the path,
 * `CORTEX_TENANT_ALIAS` (or `--tenant`) picks the section, default `default`; the values are
 * stripped of quotes and spaces (and the URL of a trailing slash).
 *
 * The reader follows configparser's defaults: `key = value` or `key: value`, keys case-insensitive,
 * `#` and `;` comment lines, indented continuation lines, and a `[DEFAULT]` section whose keys every
 * section inherits. Section names are case-sensitive.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CortexSsoError } from '../errors.js';

export const DEFAULT_TENANT = 'default';

export interface CortexCliTenant {
  /** The file that was read. */
  file: string;
  tenant: string;
  apiKey?: string;
  baseUrl?: string;
}

export type IniSections = Map<string, Map<string, string>>;

/** Parses INI text the way Python's configparser does by default (see the file comment). */
export function parseIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, string> | undefined;
  let lastKey: string | undefined;
  for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (/^\s*[#;]/.test(rawLine) || rawLine.trim() === '') {
      lastKey = undefined;
      continue;
    }
    if (/^\s/.test(rawLine) && current && lastKey !== undefined) {
      // A continuation line belongs to the previous value.
      current.set(lastKey, `${current.get(lastKey) ?? ''}\n${rawLine.trim()}`);
      continue;
    }
    const section = /^\s*\[([^\]]+)\]\s*$/.exec(rawLine);
    if (section?.[1] !== undefined) {
      const name = section[1];
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      lastKey = undefined;
      continue;
    }
    const kv = /^\s*([^=:]+?)\s*[=:]\s*(.*)$/.exec(rawLine);
    if (kv?.[1] !== undefined && current) {
      lastKey = kv[1].toLowerCase();
      current.set(lastKey, (kv[2] ?? '').trim());
    }
  }
  return sections;
}

/** The path Cortex's CLI reads: CORTEX_CONFIG, else ~/.cortex/config. */
export function cortexCliConfigPath(env: Record<string, string | undefined>, home = os.homedir()): string {
  const override = env.CORTEX_CONFIG?.trim();
  return override ? path.resolve(override) : path.join(home, '.cortex', 'config');
}

/** The tenant alias: --tenant, then CORTEX_TENANT_ALIAS, else "default". */
export function resolveTenant(flag: string | undefined, env: Record<string, string | undefined>): string {
  return flag?.trim() || env.CORTEX_TENANT_ALIAS?.trim() || DEFAULT_TENANT;
}

function stripValue(v: string | undefined, chars: string): string | undefined {
  if (v === undefined) return undefined;
  let s = v;
  while (s.length > 0 && chars.includes(s[0] as string)) s = s.slice(1);
  while (s.length > 0 && chars.includes(s[s.length - 1] as string)) s = s.slice(0, -1);
  return s === '' ? undefined : s;
}

/**
 * The tenant's section, or null when the file does not exist. A file that exists but cannot be read
 * is an error naming it (never silently ignored: the user expects it to be used). A missing section
 * is null when the tenant was not asked for explicitly, an error naming the sections when it was.
 */
export function readCortexCliTenant(
  env: Record<string, string | undefined>,
  tenantFlag?: string,
  home?: string,
): CortexCliTenant | null {
  const file = cortexCliConfigPath(env, home);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new CortexSsoError(
      'CONFIG_INVALID',
      `Cannot read Cortex's CLI configuration ${file}: ${code ?? err}.`,
    );
  }
  const tenant = resolveTenant(tenantFlag, env);
  const sections = parseIni(text);
  const section = sections.get(tenant);
  if (!section) {
    const explicit = Boolean(tenantFlag?.trim() || env.CORTEX_TENANT_ALIAS?.trim());
    if (!explicit) return null;
    const known = [...sections.keys()].filter((s) => s !== 'DEFAULT');
    throw new CortexSsoError(
      'INPUT_INVALID',
      `Tenant "${tenant}" is not in ${file}${known.length > 0 ? `; it has: ${known.join(', ')}` : ' (it has no sections)'}.`,
    );
  }
  const defaults = sections.get('DEFAULT') ?? new Map<string, string>();
  const get = (key: string) => section.get(key) ?? defaults.get(key);
  const out: CortexCliTenant = { file, tenant };
  const apiKey = stripValue(get('api_key'), `"' `);
  const baseUrl = stripValue(get('base_url'), `"' /`);
  if (apiKey !== undefined) out.apiKey = apiKey;
  if (baseUrl !== undefined) out.baseUrl = baseUrl;
  return out;
}
