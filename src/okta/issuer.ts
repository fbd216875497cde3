import { isIP } from 'node:net';
import type { Code } from '../codes.js';

/** An issuer after parsing and normalization (see parseIssuer). */
export interface ParsedIssuer {
  /** The normalized issuer, compared exactly with the discovery document: no trailing slash. */
  issuer: string;
  url: URL;
  /** Host name without IPv6 brackets. */
  host: string;
  port: number;
  /** Okta org authorization server, Okta custom authorization server (/oauth2/{id}), or other. */
  kind: 'okta-org' | 'okta-custom' | 'generic';
  authServerId?: string;
  /** 'okta' for *.okta.com and the other Okta domains, 'custom' for anything else. */
  domainKind: 'okta' | 'custom';
  /** The Okta base domain matched, e.g. okta.com, oktapreview.com. */
  oktaDomain?: string;
  discoveryUrl: string;
  /** Human sentences saying what was changed from the input. */
  normalizations: string[];
  /** Host is 127.0.0.0/8, ::1 or localhost. */
  loopback: boolean;
  /** The path differed from the issuer (trailing slash, discovery or endpoint path): a value that breaks sign-in if saved. */
  pathNormalized?: boolean;
}

/**
 * Okta's own domains: the list okta/okta-commons-java `ConfigurationValidator` checks for the
 * `-admin` paste mistake (okta.com, oktapreview.com, okta-emea.com, okta-gov.com, okta.mil,
 * okta-miltest.com, trex-gov.com), plus trex-govcloud.com, which okta/okta-sdk-dotnet's
 * configuration tests use for the same check. See docs/okta-fidelity.md.
 */
export const OKTA_DOMAINS = [
  'okta.com',
  'okta-emea.com',
  'oktapreview.com',
  'okta-gov.com',
  'okta.mil',
  'okta-miltest.com',
  'trex-govcloud.com',
  'trex-gov.com',
] as const;

export type ParseIssuerResult =
  | { ok: true; value: ParsedIssuer }
  | {
      ok: false;
      code: Extract<Code, 'ISSUER_URL_INVALID' | 'ISSUER_ADMIN_DOMAIN'>;
      /** What is wrong, naming the input. */
      message: string;
      /** The value the user most likely meant, when one can be derived. */
      suggestion?: string;
    };

export interface ParseIssuerOptions {
  /** Allow plain http for loopback hosts (tests, local providers). Never for other hosts. */
  allowHttpLoopback?: boolean;
}

const WELL_KNOWN = /\/\.well-known\/(openid-configuration|oauth-authorization-server)$/;
/** Okta endpoint paths: /oauth2/v1/... (org server) and /oauth2/{id}/v1/... (custom server). */
const ORG_ENDPOINT = /^\/oauth2\/v1(\/.*)?$/;
const CUSTOM_ENDPOINT = /^\/oauth2\/([^/]+)\/v1(\/.*)?$/;
const CUSTOM_SERVER = /^\/oauth2\/([^/]+)$/;

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
  );
}

function oktaDomainOf(host: string): string | undefined {
  return OKTA_DOMAINS.find((d) => host === d || host.endsWith(`.${d}`));
}

/**
 * Parse what a user typed as an issuer and normalize it the way Okta serves it.
 * Accepts a bare domain, trailing slashes, a pasted discovery URL and Okta /v1/ endpoint URLs,
 * and says what it changed. Refuses anything that cannot be an issuer, with the likely right value.
 */
export function parseIssuer(input: string, opts: ParseIssuerOptions = {}): ParseIssuerResult {
  const normalizations: string[] = [];
  const trimmed = input.trim();
  if (trimmed !== input) normalizations.push('removed white space around the value');
  if (trimmed === '') return { ok: false, code: 'ISSUER_URL_INVALID', message: 'The issuer is empty.' };
  if (/\s/.test(trimmed)) {
    return {
      ok: false,
      code: 'ISSUER_URL_INVALID',
      message: `The issuer "${trimmed}" contains white space.`,
    };
  }

  let text = trimmed;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[^:/]+:\d+([/?#]|$)/.test(text)) {
      return {
        ok: false,
        code: 'ISSUER_URL_INVALID',
        message: `"${trimmed}" is not an http(s) URL.`,
      };
    }
    text = `https://${text}`;
    normalizations.push('added https:// in front of the bare domain');
  }

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, code: 'ISSUER_URL_INVALID', message: `"${trimmed}" is not a valid URL.` };
  }

  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = isLoopbackHost(host);
  const clean = new URL(url.href);
  clean.username = '';
  clean.password = '';
  clean.search = '';
  clean.hash = '';
  const suggestionBase = (u: URL) =>
    stripTrailingSlash(
      u.protocol === 'http:' && !loopback
        ? `https://${httpsHost(u)}${u.pathname}`
        : `${u.protocol}//${u.host}${u.pathname}`,
    );

  // The admin console is the most common paste (an app's page: /admin/app/oidc_client/instance/0oa...#tab-general):
  // say so first, whatever its scheme, path, query or fragment.
  const adminMatch = /^(.+)-admin\.([^.].*)$/.exec(host.toLowerCase());
  if (adminMatch && oktaDomainOf(host.toLowerCase())) {
    return {
      ok: false,
      code: 'ISSUER_ADMIN_DOMAIN',
      message: `${host} is the Okta admin console, not an issuer.`,
      suggestion: adminSuggestion(`${adminMatch[1]}.${adminMatch[2]}`, url),
    };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return {
      ok: false,
      code: 'ISSUER_URL_INVALID',
      message: `The issuer must be an https URL; "${trimmed}" uses ${url.protocol.slice(0, -1)}.`,
      suggestion: normalizedSuggestion(`https://${httpsHost(url)}${url.pathname}`),
    };
  }
  if (url.protocol === 'http:') {
    if (!loopback) {
      return {
        ok: false,
        code: 'ISSUER_URL_INVALID',
        message: `The issuer must use https; "${trimmed}" uses plain http, which OpenID providers and Cortex refuse.`,
        suggestion: normalizedSuggestion(suggestionBase(clean)),
      };
    }
    if (!opts.allowHttpLoopback) {
      return {
        ok: false,
        code: 'ISSUER_URL_INVALID',
        message: `"${trimmed}" uses plain http. It is allowed only for a loopback issuer with --allow-http-loopback.`,
        suggestion: normalizedSuggestion(`https://${httpsHost(url)}${url.pathname}`),
      };
    }
  }
  if (url.username || url.password) {
    return {
      ok: false,
      code: 'ISSUER_URL_INVALID',
      message: 'The issuer must not contain a user name or password (user:password@host).',
      suggestion: normalizedSuggestion(suggestionBase(clean)),
    };
  }
  if (url.search || url.hash) {
    return {
      ok: false,
      code: 'ISSUER_URL_INVALID',
      message: `The issuer must not have a ${url.search ? 'query (?...)' : 'fragment (#...)'}.`,
      suggestion: normalizePathOnly(clean),
    };
  }

  const oktaDomain = oktaDomainOf(host);
  // Path normalization.
  let path = url.pathname;
  const before = normalizations.length;
  if (WELL_KNOWN.test(path)) {
    while (WELL_KNOWN.test(path)) path = path.replace(WELL_KNOWN, '');
    normalizations.push('removed the pasted discovery path /.well-known/...');
  }
  if (path.length > 1 && path.endsWith('/')) {
    path = path.replace(/\/+$/, '');
    normalizations.push('removed the trailing slash (the issuer is compared exactly)');
  }
  if (path === '/') path = '';

  let kind: ParsedIssuer['kind'] = 'generic';
  let authServerId: string | undefined;
  const customEndpoint = CUSTOM_ENDPOINT.exec(path);
  const customServer = CUSTOM_SERVER.exec(path);
  if (ORG_ENDPOINT.test(path)) {
    normalizations.push(
      `removed the endpoint path ${path}: the org authorization server's issuer has no path`,
    );
    path = '';
    kind = 'okta-org';
  } else if (customEndpoint) {
    const id = customEndpoint[1] ?? '';
    normalizations.push(
      `removed the endpoint path ${path.slice(`/oauth2/${id}`.length)} after the authorization server id`,
    );
    path = `/oauth2/${id}`;
    kind = 'okta-custom';
    authServerId = id;
  } else if (customServer) {
    kind = 'okta-custom';
    authServerId = customServer[1];
  } else if (path === '' && oktaDomain) {
    kind = 'okta-org';
  } else if (oktaDomain) {
    // An Okta domain with a path that is neither the org server nor /oauth2/{id}: a page URL
    // (e.g. /app/UserHome) pasted by mistake.
    return {
      ok: false,
      code: 'ISSUER_URL_INVALID',
      message: `"${path}" is not an Okta issuer path. Okta issuers are https://${host} (org authorization server) or https://${host}/oauth2/{authServerId}.`,
      suggestion: `https://${url.host}`,
    };
  }

  // Outside Okta a trailing slash can be part of the issuer (Auth0's is https://tenant.auth0.com/):
  // keep it as typed and let the discovery check compare it with what the provider says.
  const typedWithSlash = /\/$/.test(text.replace(/[?#].*$/, '').replace(WELL_KNOWN, ''));
  if (kind === 'generic' && !oktaDomain && typedWithSlash) {
    path = `${path}/`;
    const i = normalizations.findIndex((n) => n.startsWith('removed the trailing slash'));
    if (i !== -1) normalizations.splice(i, 1);
  }
  const pathNormalized = normalizations.length > before;
  const issuer = `${url.protocol}//${url.host}${path}`;
  const value: ParsedIssuer = {
    issuer,
    url: new URL(issuer),
    host,
    port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
    kind,
    domainKind: oktaDomain ? 'okta' : 'custom',
    // OpenID Discovery 1.0 §4: remove a terminating "/" before appending the well-known path.
    discoveryUrl: `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
    normalizations,
    loopback,
  };
  if (pathNormalized) value.pathNormalized = true;
  if (authServerId !== undefined) value.authServerId = authServerId;
  if (oktaDomain !== undefined) value.oktaDomain = oktaDomain;
  return { ok: true, value };
}

/**
 * The issuer behind an admin-console URL: the org host over https, no path; a path that is itself an
 * issuer path (/oauth2/{id}, a discovery or endpoint URL) is kept, normalized; any console page is dropped.
 */
function adminSuggestion(orgHost: string, url: URL): string {
  const host = httpsHost(new URL(`${url.protocol}//${url.port ? `${orgHost}:${url.port}` : orgHost}`));
  const path = url.pathname;
  if (path === '/' || path === '') return `https://${host}`;
  const r = parseIssuer(`https://${host}${path}`);
  return r.ok && r.value.kind !== 'generic' ? r.value.issuer : `https://${host}`;
}

/** The host of `u` as an https URL carries it: a port 443 typed after http:// (or ftp://) is https's default and goes. */
function httpsHost(u: URL): string {
  try {
    return new URL(`https://${u.host}`).host;
  } catch {
    return u.host;
  }
}

function stripTrailingSlash(s: string): string {
  return s.length > 1 ? s.replace(/\/+$/, '') : s;
}

function normalizePathOnly(u: URL): string {
  return normalizedSuggestion(`${u.protocol}//${u.host}${u.pathname}`);
}

/** A suggestion as parseIssuer would normalize it, so that it is accepted as it stands. */
function normalizedSuggestion(candidate: string): string {
  const r = parseIssuer(candidate, { allowHttpLoopback: true });
  if (r.ok) return r.value.issuer;
  return r.suggestion ?? stripTrailingSlash(candidate);
}

/** A one-line description of what kind of issuer this is, for humans. */
export function describeIssuer(p: ParsedIssuer): string {
  const where =
    p.domainKind === 'okta'
      ? `Okta domain ${p.oktaDomain}`
      : isIP(p.host) || p.loopback
        ? `host ${p.host}`
        : `custom domain ${p.host}`;
  if (p.kind === 'okta-org') return `Okta org authorization server on ${where}`;
  if (p.kind === 'okta-custom') return `Okta custom authorization server "${p.authServerId}" on ${where}`;
  return `OpenID issuer on ${where}`;
}
