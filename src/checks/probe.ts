/**
 * How the checks reach the issuer once the network layers are known: a TLS handshake as the tls check
 * made it, and HTTP requests over the target's proxy route. Shared so every check asks the same way.
 */
import type { Code } from '../codes.js';
import type { TlsProbeOptions } from '../net/connect.js';
import { mapNetError } from '../net/errors.js';
import { type HttpGetOptions, type HttpResponse, httpGet, isHttpTimeout } from '../net/http.js';
import type { ParsedIssuer } from '../okta/issuer.js';
import type { CheckContext, Target } from './types.js';

/** A TLS handshake with the issuer: SNI host, the first reachable address, the proxy route, the check timeout. */
export function tlsProbeOptions(
  target: Target & { issuer: ParsedIssuer },
  ctx: CheckContext,
): TlsProbeOptions {
  const first = target.facts.reachable?.[0];
  return {
    host: target.issuer.host,
    port: target.issuer.port,
    ...(first ? { address: first.address, family: first.family } : {}),
    proxy: target.facts.proxy ?? null,
    timeoutMs: ctx.options.timeoutMs,
  };
}

/** One HTTP exchange with the issuer over the target's proxy route, within the check timeout. */
export function issuerRequest(
  url: string,
  target: Target,
  ctx: CheckContext,
  opts: Omit<HttpGetOptions, 'dispatcher' | 'timeoutMs'>,
): Promise<HttpResponse> {
  return httpGet(url, {
    dispatcher: ctx.net.dispatcher(target.facts.proxy ?? null),
    timeoutMs: ctx.options.timeoutMs,
    ...opts,
  });
}

/** GET a page of the authorization endpoint as a browser asks for it: HTML first, JSON accepted. */
export function getAuthorizationPage(
  url: URL,
  target: Target,
  ctx: CheckContext,
  maxBytes: number,
): Promise<HttpResponse> {
  return issuerRequest(url.href, target, ctx, {
    maxBytes,
    headers: { accept: 'text/html, application/json;q=0.9' },
  });
}

/**
 * Why an issuer request failed, for a detail: our own timeout as it says, else the mapped network
 * error with its code in brackets. `networkCode` is that code (absent for our timeout).
 */
export function requestFailure(err: unknown): { detail: string; networkCode?: Code } {
  if (isHttpTimeout(err)) return { detail: err.message };
  const mapped = mapNetError(err);
  return { detail: `${mapped.detail} [${mapped.code}]`, networkCode: mapped.code };
}
