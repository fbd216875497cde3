import net from 'node:net';

const DEFAULT_PORT: Record<string, number> = { 'https:': 443, 'http:': 80 };

/** "host:port" for a host name or an address: IPv6 in brackets. */
export function hostPort(host: string, port: number): string {
  return `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
}

/** The port of a URL with the default spelled out (443 for https, 80 for http). */
export function urlPort(url: URL): number {
  return Number(url.port || DEFAULT_PORT[url.protocol] || 0);
}

/** "host:port" of a URL with the default port spelled out; IPv6 in brackets (as URL keeps it). */
export function hostKey(url: URL): string {
  return `${url.hostname}:${urlPort(url)}`;
}
