import { describe, expect, it } from 'vitest';
import { CortexSsoError } from '../../src/errors.ts';
import { mapNetError } from '../../src/net/errors.ts';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('mapNetError', () => {
  const cases: Array<[string, string]> = [
    ['ENOTFOUND', 'DNS_NOT_FOUND'],
    ['EAI_AGAIN', 'DNS_FAILURE'],
    ['ESERVFAIL', 'DNS_FAILURE'],
    ['ETIMEOUT', 'DNS_TIMEOUT'],
    ['ECONNREFUSED', 'TCP_REFUSED'],
    ['ETIMEDOUT', 'TCP_TIMEOUT'],
    ['UND_ERR_CONNECT_TIMEOUT', 'TCP_TIMEOUT'],
    ['EHOSTUNREACH', 'TCP_UNREACHABLE'],
    ['ENETUNREACH', 'TCP_UNREACHABLE'],
    ['ECONNRESET', 'TLS_HANDSHAKE_FAILED'],
    ['CERT_HAS_EXPIRED', 'CERT_EXPIRED'],
    ['CERT_NOT_YET_VALID', 'CERT_NOT_YET_VALID'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HOSTNAME_MISMATCH'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_SELF_SIGNED'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_CHAIN_INCOMPLETE'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'CERT_UNTRUSTED_ROOT'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED_ROOT'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'TLS_NOT_TLS'],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'TLS_PROTOCOL_TOO_OLD'],
    ['ERR_SSL_UNSUPPORTED_PROTOCOL', 'TLS_PROTOCOL_TOO_OLD'],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'TLS_HANDSHAKE_FAILED'],
    ['ERR_SSL_SOMETHING_NEW', 'TLS_HANDSHAKE_FAILED'],
    ['UND_ERR_HEADERS_TIMEOUT', 'DISCOVERY_TIMEOUT'],
  ];
  it.each(cases)('maps %s to %s with a sentence', (code, expected) => {
    const mapped = mapNetError(coded(code));
    expect(mapped.code).toBe(expected);
    expect(mapped.detail.length).toBeGreaterThan(5);
  });

  it('follows undici cause chains (fetch failed -> cause)', () => {
    const err = new TypeError('fetch failed', {
      cause: coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'),
    });
    expect(mapNetError(err).code).toBe('TCP_REFUSED');
    const deep = new TypeError('fetch failed', {
      cause: new Error('wrapper', { cause: coded('CERT_HAS_EXPIRED') }),
    });
    expect(mapNetError(deep).code).toBe('CERT_EXPIRED');
  });

  it('looks inside AggregateError (happy eyeballs)', () => {
    const agg = Object.assign(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], ''), {
      code: undefined,
    });
    expect(mapNetError(agg).code).toBe('TCP_REFUSED');
  });

  it("names a proxy's 407 and 403 (undici ProxyAgent messages) as PROXY_REFUSED", () => {
    const e407 = new TypeError('fetch failed', {
      cause: Object.assign(new Error('Proxy response (407) !== 200 when HTTP Tunneling'), {
        code: 'UND_ERR_ABORTED',
      }),
    });
    const m407 = mapNetError(e407);
    expect(m407.code).toBe('PROXY_REFUSED');
    expect(m407.detail).toContain('407');
    const e403 = coded('UND_ERR_ABORTED', 'Proxy response (403) !== 200 when HTTP Tunneling');
    expect(mapNetError(e403)).toMatchObject({ code: 'PROXY_REFUSED' });
    expect(mapNetError(e403).detail).toContain('403');
    expect(mapNetError(coded('UND_ERR_INVALID_ARG', 'Proxy Authentication Required (407)')).code).toBe(
      'PROXY_REFUSED',
    );
  });

  it('uses the phase to place timeouts and resets', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(mapNetError(timeout, 'dns').code).toBe('DNS_TIMEOUT');
    expect(mapNetError(timeout, 'tcp').code).toBe('TCP_TIMEOUT');
    expect(mapNetError(timeout, 'tls').code).toBe('TLS_TIMEOUT');
    expect(mapNetError(coded('ECONNREFUSED'), 'dns').code).toBe('DNS_FAILURE');
    expect(mapNetError(coded('ECONNRESET'), 'tcp').code).toBe('TCP_REFUSED');
  });

  it('keeps the code of our own typed errors', () => {
    const err = new CortexSsoError('PROXY_REFUSED', 'x', { detail: 'proxy http://p:3128: it answered 403' });
    expect(mapNetError(err)).toEqual({
      code: 'PROXY_REFUSED',
      detail: 'proxy http://p:3128: it answered 403',
    });
  });

  it('keeps the message of an unknown error', () => {
    expect(mapNetError(new Error('weird thing'), 'tls')).toEqual({
      code: 'TLS_HANDSHAKE_FAILED',
      detail: 'weird thing',
    });
  });
});
