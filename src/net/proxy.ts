import { CortexSsoError } from '../errors.js';

/** A TCP route to the issuer: direct, or through an HTTP proxy (CONNECT tunnel). */
export interface ProxyRoute {
  /** Proxy URL with any credentials removed, for display. */
  display: string;
  /** Full proxy URL (may carry credentials); never printed. */
  url: string;
  source: 'flag' | 'env';
}

type Env = Readonly<Record<string, string | undefined>>;

/** Why a proxy applies, or why not: for the proxy check's detail. */
export type ProxyDecision =
  | { route: ProxyRoute; from: string }
  | { route: null; reason: 'none' }
  | { route: null; reason: 'no-proxy'; from: string; entry: string };

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

function envValue(env: Env, name: string): { name: string; value: string } | undefined {
  // Same precedence as undici's EnvHttpProxyAgent: lower case first.
  for (const n of [name.toLowerCase(), name.toUpperCase()]) {
    const v = env[n]?.trim();
    if (v) return { name: n, value: v };
  }
  return undefined;
}

/** Parse a proxy URL (scheme optional, http assumed) into a route; credentials stay out of `display`. */
export function parseProxyUrl(raw: string, source: ProxyRoute['source'], origin: string): ProxyRoute {
  const text = raw.includes('://') ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CortexSsoError('INPUT_INVALID', `The proxy from ${origin} is not a valid URL.`);
  }
  if (url.protocol !== 'http:') {
    throw new CortexSsoError(
      'INPUT_INVALID',
      `The proxy from ${origin} uses ${url.protocol}//; only http:// proxies (HTTP CONNECT) are supported.`,
    );
  }
  if (!url.hostname) throw new CortexSsoError('INPUT_INVALID', `The proxy from ${origin} has no host.`);
  const display = `${url.protocol}//${url.host}`;
  return { display, url: url.href, source };
}

interface NoProxyEntry {
  raw: string;
  hostname: string;
  port: number;
  wildcard: boolean;
}

function parseNoProxy(value: string): NoProxyEntry[] {
  const out: NoProxyEntry[] = [];
  for (const part of value.split(/[,\s]+/)) {
    const entry = part.trim();
    if (!entry) continue;
    let hostname: string;
    let port = 0;
    const v6 = /^\[(.+)\]:(\d+)$/.exec(entry);
    if (v6) {
      hostname = v6[1] ?? '';
      port = Number.parseInt(v6[2] ?? '0', 10);
    } else {
      const unbracketed = entry.replace(/^\[(.+)\]$/, '$1');
      const colons = (unbracketed.match(/:/g) ?? []).length;
      const m = colons === 1 ? /^(.+):(\d+)$/.exec(unbracketed) : null;
      hostname = m ? (m[1] ?? '') : unbracketed;
      port = m ? Number.parseInt(m[2] ?? '0', 10) : 0;
    }
    out.push({
      raw: entry,
      hostname: hostname
        .replace(/^\*?\./, '')
        .replace(/^(.+)\.$/, '$1')
        .toLowerCase(),
      port,
      wildcard: entry.startsWith('*'),
    });
  }
  return out;
}

function bypassEntry(entries: NoProxyEntry[], hostname: string, port: number): NoProxyEntry | undefined {
  for (const e of entries) {
    if (e.port && e.port !== port) continue;
    if (e.hostname === '*') return e;
    if (!e.wildcard && hostname === e.hostname) return e;
    if (hostname.endsWith(`.${e.hostname}`)) return e;
  }
  return undefined;
}

/**
 * Decide how to reach `url`: `--proxy` (flag) wins over the environment and ignores NO_PROXY (the
 * user asked for it explicitly); otherwise HTTPS_PROXY (https URLs, falling back to HTTP_PROXY) or
 * HTTP_PROXY, upper or lower case, unless NO_PROXY matches (`*`, exact host, domain suffix with or
 * without a leading dot or `*.`, optional `:port`). Throws CortexSsoError INPUT_INVALID for a bad proxy URL.
 */
export function decideProxy(url: URL, flag: string | undefined, env: Env): ProxyDecision {
  if (flag !== undefined && flag.trim() !== '') {
    return { route: parseProxyUrl(flag.trim(), 'flag', '--proxy'), from: '--proxy' };
  }
  const httpProxy = envValue(env, 'HTTP_PROXY');
  const chosen = url.protocol === 'https:' ? (envValue(env, 'HTTPS_PROXY') ?? httpProxy) : httpProxy;
  if (!chosen) return { route: null, reason: 'none' };
  const noProxy = envValue(env, 'NO_PROXY');
  if (noProxy) {
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const port = url.port ? Number.parseInt(url.port, 10) : (DEFAULT_PORTS[url.protocol] ?? 0);
    const hit = bypassEntry(parseNoProxy(noProxy.value), hostname, port);
    if (hit) return { route: null, reason: 'no-proxy', from: noProxy.name, entry: hit.raw };
  }
  return { route: parseProxyUrl(chosen.value, 'env', chosen.name), from: chosen.name };
}

/** The proxy that applies to `url`, or null for a direct connection. See decideProxy. */
export function proxyFor(url: URL, flag: string | undefined, env: Env): ProxyRoute | null {
  return decideProxy(url, flag, env).route;
}

/** Where TCP connections go: the issuer itself, or the proxy when one applies. */
export function firstHop(
  issuer: { host: string; port: number },
  proxy: ProxyRoute | null | undefined,
): { host: string; port: number; viaProxy: ProxyRoute | null } {
  if (!proxy) return { host: issuer.host, port: issuer.port, viaProxy: null };
  const url = new URL(proxy.url);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 80,
    viaProxy: proxy,
  };
}
