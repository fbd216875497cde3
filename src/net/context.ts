import type { HttpTransport } from './dispatcher.js';
import type { ProxyRoute } from './proxy.js';

/** The trust anchors a run uses. `public` are Node's bundled roots; `extra` come from --ca-file,
 * NODE_EXTRA_CA_CERTS and the OS store. A chain trusted only through `extra` means TLS inspection. */
export interface TrustStore {
  publicRoots: readonly string[];
  extraRoots: ReadonlyArray<{ source: 'ca-file' | 'NODE_EXTRA_CA_CERTS' | 'system'; pem: string }>;
  /** public + extra, for connections that must verify. */
  all(): string[];
  /**
   * public + --ca-file only: tried first, so a chain that verifies without the OS store and
   * NODE_EXTRA_CA_CERTS never pays for reading them. Absent: all() is the only stage.
   */
  firstStage?(): string[];
}

/** A DNS answer source. Default: the OS resolver (getaddrinfo), as the real connection uses it. */
export interface Resolver {
  lookup(host: string, signal: AbortSignal): Promise<Array<{ address: string; family: 4 | 6 }>>;
}

export interface NetContext {
  trust: TrustStore;
  resolver: Resolver;
  /** The proxy given by --proxy, if any (env proxies are found by the proxy check). */
  proxyFlag?: string;
  /** Environment, for HTTPS_PROXY/HTTP_PROXY/NO_PROXY (upper and lower case). */
  env: Readonly<Record<string, string | undefined>>;
  /** The HTTP transport for the checks: verifies against trust.all(), routes through `proxy`. */
  dispatcher(proxy: ProxyRoute | null): HttpTransport;
  /**
   * Hand a connection to host:port over `proxy`, whose chain AND host name verified (a probe made
   * with keepIfVerifiedFor), to the HTTP transport: the next request to that origin uses it instead of
   * a new connection. Absent: nothing is reused, the caller closes the socket.
   */
  adopt?(proxy: ProxyRoute | null, host: string, port: number, socket: import('node:tls').TLSSocket): boolean;
}
