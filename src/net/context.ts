import type { HttpTransport } from './dispatcher.js';
import type { ProxyRoute } from './proxy.js';

/** The trust anchors a run uses. `public` are Node's bundled roots; `extra` come from --ca-file,
 * NODE_EXTRA_CA_CERTS and the OS store. A chain trusted only through `extra` means TLS inspection. */
/** Where a root comes from. Anything but `public` means a chain is trusted only on this machine. */
export type TrustSource = 'public' | 'ca-file' | 'NODE_EXTRA_CA_CERTS' | 'system';

export interface TrustStore {
  publicRoots: readonly string[];
  extraRoots: ReadonlyArray<{ source: Exclude<TrustSource, 'public'>; pem: string }>;
  /** public + extra, for connections that must verify. */
  all(): string[];
  /**
   * public + --ca-file only: tried first, so a chain that verifies without the OS store and
   * NODE_EXTRA_CA_CERTS never pays for reading them.
   */
  firstStage(): string[];
  /**
   * Where a certificate (PEM) comes from as a root of this run, or undefined when it is none.
   * Public roots and --ca-file are looked up first; the OS store and NODE_EXTRA_CA_CERTS are read
   * only for a certificate found in neither.
   */
  sourceOf(pem: string): TrustSource | undefined;
  /**
   * The roots of a stage that a path from these certificates (DER, as the server sent them) could
   * run through: those whose subject may be the issuer of one of them or of another such root (by
   * name key, src/net/x509-names.ts). OpenSSL builds paths by name only, so a TLS context of these
   * roots reaches the verdict a context of the whole stage would, at a fraction of the cost.
   * Undefined when a certificate cannot be read by name (then use the whole stage). The same names
   * give back the same array, so TLS contexts built from it are shared between issuers.
   */
  candidates(chain: readonly Uint8Array[], scope: 'public' | 'first' | 'all'): readonly string[] | undefined;
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
