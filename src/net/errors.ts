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

/** Error codes (Node, OpenSSL verification, undici) mapped to our codes with a short human sentence. */
const BY_CODE: Record<string, { code: Code; detail: string }> = {
  // DNS
  ENOTFOUND: { code: 'DNS_NOT_FOUND', detail: 'the name does not exist (NXDOMAIN)' },
  NXDOMAIN: { code: 'DNS_NOT_FOUND', detail: 'the name does not exist (NXDOMAIN)' },
  ENODATA: { code: 'DNS_NOT_FOUND', detail: 'the name exists but has no A or AAAA record' },
  EAI_NONAME: { code: 'DNS_NOT_FOUND', detail: 'the name does not exist' },
  EAI_NODATA: { code: 'DNS_NOT_FOUND', detail: 'the name has no address' },
  EAI_AGAIN: {
    code: 'DNS_FAILURE',
    detail: 'the resolver failed temporarily or could not be reached (EAI_AGAIN)',
  },
  EAI_FAIL: { code: 'DNS_FAILURE', detail: 'the resolver failed (EAI_FAIL)' },
  ESERVFAIL: { code: 'DNS_FAILURE', detail: 'the DNS server answered SERVFAIL' },
  EREFUSED: { code: 'DNS_FAILURE', detail: 'the DNS server refused the query (REFUSED)' },
  ECONNREFUSED_DNS: { code: 'DNS_FAILURE', detail: 'the DNS server refused the connection' },
  EBADRESP: { code: 'DNS_FAILURE', detail: 'the DNS server sent a malformed answer' },
  ETIMEOUT: { code: 'DNS_TIMEOUT', detail: 'the DNS server did not answer in time' },
  // TCP
  ECONNREFUSED: {
    code: 'TCP_REFUSED',
    detail: 'connection refused (nothing listens, or a firewall rejects it)',
  },
  ETIMEDOUT: {
    code: 'TCP_TIMEOUT',
    detail: 'no answer to the connection attempt (a firewall dropping traffic?)',
  },
  UND_ERR_CONNECT_TIMEOUT: {
    code: 'TCP_TIMEOUT',
    detail: 'no answer to the connection attempt (a firewall dropping traffic?)',
  },
  EHOSTUNREACH: { code: 'TCP_UNREACHABLE', detail: 'no route to the host (EHOSTUNREACH)' },
  ENETUNREACH: { code: 'TCP_UNREACHABLE', detail: 'the network is unreachable (ENETUNREACH)' },
  EHOSTDOWN: { code: 'TCP_UNREACHABLE', detail: 'the host is down (EHOSTDOWN)' },
  EADDRNOTAVAIL: {
    code: 'TCP_UNREACHABLE',
    detail: 'the address is not available from this machine (EADDRNOTAVAIL)',
  },
  ENETDOWN: { code: 'TCP_UNREACHABLE', detail: 'the network is down (ENETDOWN)' },
  // Resets and closes: during a handshake usually a middlebox.
  ECONNRESET: {
    code: 'TLS_HANDSHAKE_FAILED',
    detail: 'the connection was reset (a proxy or firewall in the way?)',
  },
  EPIPE: { code: 'TLS_HANDSHAKE_FAILED', detail: 'the connection was closed by the other side' },
  UND_ERR_SOCKET: { code: 'TLS_HANDSHAKE_FAILED', detail: 'the other side closed the connection' },
  // TLS protocol
  ERR_SSL_WRONG_VERSION_NUMBER: {
    code: 'TLS_NOT_TLS',
    detail: 'the server answered in plain text, not TLS (a plain HTTP listener?)',
  },
  ERR_SSL_HTTP_REQUEST: { code: 'TLS_NOT_TLS', detail: 'the server speaks plain HTTP on this port' },
  ERR_SSL_PACKET_LENGTH_TOO_LONG: {
    code: 'TLS_NOT_TLS',
    detail: 'the server answered with something that is not TLS (a plain HTTP listener?)',
  },
  ERR_SSL_RECORD_LAYER_FAILURE: {
    code: 'TLS_NOT_TLS',
    detail: 'the server answered with something that is not TLS (a plain HTTP listener?)',
  },
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: {
    code: 'TLS_PROTOCOL_TOO_OLD',
    detail: 'the server rejected TLS 1.2 and 1.3 (protocol_version alert)',
  },
  ERR_SSL_UNSUPPORTED_PROTOCOL: {
    code: 'TLS_PROTOCOL_TOO_OLD',
    detail: 'the server only offers a protocol version older than TLS 1.2',
  },
  ERR_SSL_NO_PROTOCOLS_AVAILABLE: {
    code: 'TLS_PROTOCOL_TOO_OLD',
    detail: 'no protocol version in common with the server',
  },
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: {
    code: 'TLS_HANDSHAKE_FAILED',
    detail: 'the server aborted the handshake (handshake_failure alert: no shared cipher?)',
  },
  ERR_SSL_NO_SHARED_CIPHER: { code: 'TLS_HANDSHAKE_FAILED', detail: 'no cipher in common with the server' },
  ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR: {
    code: 'TLS_HANDSHAKE_FAILED',
    detail: 'the server aborted the handshake (internal_error alert)',
  },
  ERR_SSL_TLSV1_UNRECOGNIZED_NAME: {
    code: 'TLS_HANDSHAKE_FAILED',
    detail: 'the server does not know this host name (unrecognized_name alert)',
  },
  ERR_SSL_UNEXPECTED_EOF_WHILE_READING: {
    code: 'TLS_HANDSHAKE_FAILED',
    detail: 'the connection closed in the middle of the handshake',
  },
  // Certificate verification (OpenSSL codes as Node reports them)
  CERT_HAS_EXPIRED: { code: 'CERT_EXPIRED', detail: 'a certificate in the chain has expired' },
  ERR_TLS_CERT_HAS_EXPIRED: { code: 'CERT_EXPIRED', detail: 'a certificate in the chain has expired' },
  CERT_NOT_YET_VALID: { code: 'CERT_NOT_YET_VALID', detail: 'a certificate in the chain is not valid yet' },
  ERR_TLS_CERT_ALTNAME_INVALID: {
    code: 'CERT_HOSTNAME_MISMATCH',
    detail: 'the certificate does not name this host',
  },
  DEPTH_ZERO_SELF_SIGNED_CERT: {
    code: 'CERT_SELF_SIGNED',
    detail: 'the server presents a self-signed certificate',
  },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
    code: 'CERT_CHAIN_INCOMPLETE',
    detail: 'the leaf certificate cannot be verified: the server did not send its intermediate',
  },
  UNABLE_TO_GET_ISSUER_CERT: {
    code: 'CERT_CHAIN_INCOMPLETE',
    detail: 'the issuer of a certificate in the chain is missing',
  },
  SELF_SIGNED_CERT_IN_CHAIN: {
    code: 'CERT_UNTRUSTED_ROOT',
    detail: 'the server sent a root certificate that is not trusted here (TLS inspection?)',
  },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: {
    code: 'CERT_UNTRUSTED_ROOT',
    detail: 'the chain leads to a root that is not trusted here (TLS inspection?)',
  },
  CERT_UNTRUSTED: { code: 'CERT_UNTRUSTED_ROOT', detail: 'the certificate is not trusted' },
  CERT_REJECTED: { code: 'CERT_UNTRUSTED_ROOT', detail: 'the root rejects this purpose' },
  INVALID_CA: { code: 'CERT_UNTRUSTED_ROOT', detail: 'a certificate in the chain is not a valid CA' },
  CERT_SIGNATURE_FAILURE: { code: 'CERT_UNTRUSTED_ROOT', detail: 'a certificate signature does not verify' },
  // undici / fetch
  UND_ERR_HEADERS_TIMEOUT: {
    code: 'DISCOVERY_TIMEOUT',
    detail: 'the server did not send response headers in time',
  },
  UND_ERR_BODY_TIMEOUT: {
    code: 'DISCOVERY_TIMEOUT',
    detail: 'the server did not send the response body in time',
  },
  UND_ERR_PRX_CONN: { code: 'PROXY_REFUSED', detail: 'the connection through the proxy failed' },
  UND_ERR_PRX_TLS: { code: 'PROXY_REFUSED', detail: 'the TLS connection to the proxy failed' },
};

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
    const hit = BY_CODE[key];
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
