import type { Code } from '../codes.js';
import { CortexSsoError } from '../errors.js';

/** Which network step failed, to tell timeouts and resets apart. Optional: without it the error alone decides. */
export type NetPhase = 'dns' | 'tcp' | 'tls' | 'http';

export interface MappedNetError {
  code: Code;
  detail: string;
}

interface ErrorLike {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
  reason?: unknown;
  hostname?: unknown;
  address?: unknown;
  port?: unknown;
}

const TIMEOUT_BY_PHASE: Record<NetPhase, Code> = {
  dns: 'DNS_TIMEOUT',
  tcp: 'TCP_TIMEOUT',
  tls: 'TLS_TIMEOUT',
  http: 'DISCOVERY_TIMEOUT',
};

const FALLBACK_BY_PHASE: Record<NetPhase, Code> = {
  dns: 'DNS_FAILURE',
  tcp: 'TCP_UNREACHABLE',
  tls: 'TLS_HANDSHAKE_FAILED',
  http: 'TLS_HANDSHAKE_FAILED',
};

/**
 * Error codes (Node, OpenSSL verification, undici), grouped by the code they map to, each with a short
 * human sentence.
 */
const GROUPS: ReadonlyArray<readonly [Code, Readonly<Record<string, string>>]> = [
  // DNS
  [
    'DNS_NOT_FOUND',
    {
      ENOTFOUND: 'the name does not exist (NXDOMAIN)',
      NXDOMAIN: 'the name does not exist (NXDOMAIN)',
      ENODATA: 'the name exists but has no A or AAAA record',
      EAI_NONAME: 'the name does not exist',
      EAI_NODATA: 'the name has no address',
    },
  ],
  [
    'DNS_FAILURE',
    {
      EAI_AGAIN: 'the resolver failed temporarily or could not be reached (EAI_AGAIN)',
      EAI_FAIL: 'the resolver failed (EAI_FAIL)',
      ESERVFAIL: 'the DNS server answered SERVFAIL',
      EREFUSED: 'the DNS server refused the query (REFUSED)',
      ECONNREFUSED_DNS: 'the DNS server refused the connection',
      EBADRESP: 'the DNS server sent a malformed answer',
    },
  ],
  ['DNS_TIMEOUT', { ETIMEOUT: 'the DNS server did not answer in time' }],
  // TCP
  ['TCP_REFUSED', { ECONNREFUSED: 'connection refused (nothing listens, or a firewall rejects it)' }],
  [
    'TCP_TIMEOUT',
    {
      ETIMEDOUT: 'no answer to the connection attempt (a firewall dropping traffic?)',
      UND_ERR_CONNECT_TIMEOUT: 'no answer to the connection attempt (a firewall dropping traffic?)',
    },
  ],
  [
    'TCP_UNREACHABLE',
    {
      EHOSTUNREACH: 'no route to the host (EHOSTUNREACH)',
      ENETUNREACH: 'the network is unreachable (ENETUNREACH)',
      EHOSTDOWN: 'the host is down (EHOSTDOWN)',
      EADDRNOTAVAIL: 'the address is not available from this machine (EADDRNOTAVAIL)',
      ENETDOWN: 'the network is down (ENETDOWN)',
    },
  ],
  // Resets and closes: during a handshake usually a middlebox.
  [
    'TLS_HANDSHAKE_FAILED',
    {
      ECONNRESET: 'the connection was reset (a proxy or firewall in the way?)',
      EPIPE: 'the connection was closed by the other side',
      UND_ERR_SOCKET: 'the other side closed the connection',
    },
  ],
  // TLS protocol
  [
    'TLS_NOT_TLS',
    {
      ERR_SSL_WRONG_VERSION_NUMBER: 'the server answered in plain text, not TLS (a plain HTTP listener?)',
      ERR_SSL_HTTP_REQUEST: 'the server speaks plain HTTP on this port',
      ERR_SSL_PACKET_LENGTH_TOO_LONG:
        'the server answered with something that is not TLS (a plain HTTP listener?)',
      ERR_SSL_RECORD_LAYER_FAILURE:
        'the server answered with something that is not TLS (a plain HTTP listener?)',
    },
  ],
  [
    'TLS_PROTOCOL_TOO_OLD',
    {
      ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'the server rejected TLS 1.2 and 1.3 (protocol_version alert)',
      ERR_SSL_UNSUPPORTED_PROTOCOL: 'the server only offers a protocol version older than TLS 1.2',
      ERR_SSL_NO_PROTOCOLS_AVAILABLE: 'no protocol version in common with the server',
    },
  ],
  [
    'TLS_HANDSHAKE_FAILED',
    {
      ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE:
        'the server aborted the handshake (handshake_failure alert: no shared cipher?)',
      ERR_SSL_NO_SHARED_CIPHER: 'no cipher in common with the server',
      ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR: 'the server aborted the handshake (internal_error alert)',
      ERR_SSL_TLSV1_UNRECOGNIZED_NAME: 'the server does not know this host name (unrecognized_name alert)',
      ERR_SSL_UNEXPECTED_EOF_WHILE_READING: 'the connection closed in the middle of the handshake',
    },
  ],
  // Certificate verification (OpenSSL codes as Node reports them)
  [
    'CERT_EXPIRED',
    {
      CERT_HAS_EXPIRED: 'a certificate in the chain has expired',
      ERR_TLS_CERT_HAS_EXPIRED: 'a certificate in the chain has expired',
    },
  ],
  ['CERT_NOT_YET_VALID', { CERT_NOT_YET_VALID: 'a certificate in the chain is not valid yet' }],
  ['CERT_HOSTNAME_MISMATCH', { ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host' }],
  ['CERT_SELF_SIGNED', { DEPTH_ZERO_SELF_SIGNED_CERT: 'the server presents a self-signed certificate' }],
  [
    'CERT_CHAIN_INCOMPLETE',
    {
      UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        'the leaf certificate cannot be verified: the server did not send its intermediate',
      UNABLE_TO_GET_ISSUER_CERT: 'the issuer of a certificate in the chain is missing',
    },
  ],
  [
    'CERT_UNTRUSTED_ROOT',
    {
      SELF_SIGNED_CERT_IN_CHAIN:
        'the server sent a root certificate that is not trusted here (TLS inspection?)',
      UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        'the chain leads to a root that is not trusted here (TLS inspection?)',
      CERT_UNTRUSTED: 'the certificate is not trusted',
      CERT_REJECTED: 'the root rejects this purpose',
      INVALID_CA: 'a certificate in the chain is not a valid CA',
      CERT_SIGNATURE_FAILURE: 'a certificate signature does not verify',
    },
  ],
  // undici / fetch
  [
    'DISCOVERY_TIMEOUT',
    {
      UND_ERR_HEADERS_TIMEOUT: 'the server did not send response headers in time',
      UND_ERR_BODY_TIMEOUT: 'the server did not send the response body in time',
    },
  ],
  [
    'PROXY_REFUSED',
    {
      UND_ERR_PRX_CONN: 'the connection through the proxy failed',
      UND_ERR_PRX_TLS: 'the TLS connection to the proxy failed',
    },
  ],
];

/** The table above by error code (a Map: no inherited keys such as `constructor` can match). */
const BY_CODE: ReadonlyMap<string, MappedNetError> = new Map(
  GROUPS.flatMap(([code, details]) =>
    Object.entries(details).map(([key, detail]) => [key, { code, detail }] as const),
  ),
);

function asErrorLike(err: unknown): ErrorLike | undefined {
  return typeof err === 'object' && err !== null ? (err as ErrorLike) : undefined;
}

/** The error and its causes (err.cause chains, AggregateError.errors), outermost first, bounded. */
function chain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: unknown[] = [err];
  while (queue.length > 0 && out.length < 12) {
    const e = asErrorLike(queue.shift());
    if (!e || out.includes(e)) continue;
    out.push(e);
    if (e.cause !== undefined) queue.push(e.cause);
    if (Array.isArray(e.errors)) queue.push(...e.errors);
  }
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function withOrigin(detail: string, _e: ErrorLike, original?: string): string {
  return original !== undefined && original !== detail ? `${detail}: ${original}` : detail;
}

function proxyStatusDetail(message: string): string | undefined {
  const m =
    /Proxy response \((\d{3})\)/.exec(message) ?? /Proxy Authentication Required \((\d{3})\)/.exec(message);
  if (!m) return undefined;
  const status = m[1];
  if (status === '407') return 'the proxy answered 407 Proxy Authentication Required: it needs credentials';
  if (status === '403') return 'the proxy answered 403 Forbidden: its policy blocks this host';
  return `the proxy answered ${status} to the tunnel request`;
}

/**
 * Map a Node, undici or OpenSSL error (anywhere in its `cause` chain) to one of our codes and a short
 * human sentence. `phase` says which step was running, so a bare timeout or reset lands on the right code.
 */
export function mapNetError(err: unknown, phase?: NetPhase): MappedNetError {
  const errors = chain(err);
  // Our own typed errors already carry a code.
  for (const e of errors) {
    if (e instanceof CortexSsoError) return { code: e.code, detail: e.detail ?? e.message };
  }
  for (const e of errors) {
    const message = str(e.message);
    if (message !== undefined) {
      const proxy = proxyStatusDetail(message);
      if (proxy !== undefined) return { code: 'PROXY_REFUSED', detail: proxy };
    }
  }
  for (const e of errors) {
    const code = str(e.code);
    if (code === undefined) continue;
    // ECONNREFUSED while resolving means the DNS server refused, not the issuer.
    const key = phase === 'dns' && code === 'ECONNREFUSED' ? 'ECONNREFUSED_DNS' : code;
    const hit = BY_CODE.get(key);
    if (hit) {
      if (phase !== undefined && (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET')) {
        if (phase === 'tcp') return { code: 'TCP_REFUSED', detail: hit.detail };
      }
      if (code === 'ETIMEDOUT' && phase !== undefined && phase !== 'tcp') {
        return { code: TIMEOUT_BY_PHASE[phase], detail: 'timed out' };
      }
      return { code: hit.code, detail: hit.detail };
    }
    if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
      return {
        code: 'TLS_HANDSHAKE_FAILED',
        detail: withOrigin('the TLS handshake failed', e, str(e.message)),
      };
    }
  }
  for (const e of errors) {
    const name = str(e.name);
    if (name === 'TimeoutError' || name === 'AbortError') {
      return {
        code: phase ? TIMEOUT_BY_PHASE[phase] : 'TCP_TIMEOUT',
        detail: 'the operation timed out',
      };
    }
  }
  const first = errors[0];
  const message = (first && str(first.message)) ?? String(err);
  // "Client network socket disconnected before secure TLS connection was established" carries ECONNRESET
  // and is handled above; anything left is unknown: say what happened without guessing.
  return { code: phase ? FALLBACK_BY_PHASE[phase] : 'TLS_HANDSHAKE_FAILED', detail: message };
}

/** An error with a Node-style `code`, for timeouts we enforce ourselves. */
export function codedError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

/** The error an aborted connection attempt rejects with: the signal's reason, else ABORT_ERR. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : codedError('ABORT_ERR', 'aborted');
}

/**
 * OpenSSL verification errors that more trusted roots could cure: the chain led to no root this
 * trust set holds. The trust store's later stage (OS store, NODE_EXTRA_CA_CERTS) is tried only for
 * these, by the certificate check and by the HTTP transport alike.
 */
const UNTRUSTED_CHAIN = new Set([
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

export function isUntrustedChain(code: string | undefined): boolean {
  return code !== undefined && UNTRUSTED_CHAIN.has(code);
}
