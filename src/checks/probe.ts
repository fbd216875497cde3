/**
 * How the checks reach the issuer once the network layers are known: a TLS handshake as the tls check
 * made it, and HTTP requests over the target's proxy route. Shared so every check asks the same way.
 */
import type { Code } from '../codes.js';
import type { TlsProbeOptions } from '../net/connect.js';
import { mapNetError } from '../net/errors.js';
import { type HttpGetOptions, type HttpResponse, httpGet, isHttpTimeout } from '../net/http.js';
import type { ParsedIssuer } from '../okta/issuer.js';
import {
  describeError,
  type HeaderMap,
  namesFeatureNotEnabled,
  parseErrorResponse,
} from '../okta/oauth-errors.js';
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

/**
 * Okta's answer for a custom authorization server in an org without API Access Management: 401 E0000015
 * (discovery, token) or the authorization page's "The requested feature is not enabled in this
 * environment." The fix names the org issuer computed from the configured one: scheme, host and port,
 * no path, no trailing slash.
 */
export function apiAccessManagementProblem(
  res: { status: number; headers: HeaderMap; body: string | Buffer },
  issuer: ParsedIssuer,
  request: string,
): { code: 'OKTA_API_AM_REQUIRED'; title: string; detail: string; advice: string } | undefined {
  if (res.status < 400) return undefined;
  const e = parseErrorResponse(res);
  if (!namesFeatureNotEnabled(e, res)) return undefined;
  const orgIssuer = `${issuer.url.protocol}//${issuer.url.host}`;
  const said = e ? describeError(e) : '"The requested feature is not enabled in this environment."';
  const custom = issuer.issuer !== orgIssuer;
  return {
    code: 'OKTA_API_AM_REQUIRED',
    title: 'This Okta org has no API Access Management: use the org authorization server',
    detail: `${request} answered HTTP ${res.status} ${said}. ${
      custom
        ? `${issuer.issuer} is a custom authorization server, which needs Okta's API Access Management; this org does not have it, but its org authorization server ${orgIssuer} is always there.`
        : 'Okta refuses a feature this request needs.'
    }`,
    advice: custom
      ? `Set the issuer to exactly ${orgIssuer} (the org authorization server: no path, no trailing slash), or have API Access Management enabled for this Okta org and keep ${issuer.issuer}.`
      : 'Ask your Okta administrator which features the org has; the org authorization server needs none.',
  };
}
