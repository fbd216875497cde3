import { randomBytes } from 'node:crypto';
// One home for Cortex's addresses: src/cortex/types.ts.
import { CORTEX_CALLBACK_URI, CORTEX_SIGN_IN_URI_TEMPLATE as TENANT_REDIRECT_URI } from '../cortex/types.js';
import { type HttpResponse, headerValue } from '../net/http.js';
import type { ParsedIssuer } from '../okta/issuer.js';
import {
  describeError,
  namesRedirectUri,
  type OAuthError,
  parseErrorResponse,
  parseRedirectError,
  retryHint,
} from '../okta/oauth-errors.js';
import { apiAccessManagementProblem, getAuthorizationPage, requestFailure } from './probe.js';
import type { Check, CheckContext, CheckOutcome, Target } from './types.js';

/** The other addresses Cortex documents, named next to the one probed so none is forgotten. */
function otherCortexAddresses(probed: string): string {
  const out: string[] = [];
  if (!probed.startsWith('https://app.getcortexapp.com/login')) {
    out.push(
      `For auto sign-on (Okta: Login initiated by Either Okta or App), Cortex's Okta guide also names the sign-in redirect URI ${TENANT_REDIRECT_URI} (your workspace's tenant code; check it with --redirect-uri)`,
    );
  }
  out.push(
    probed === CORTEX_CALLBACK_URI
      ? `${CORTEX_CALLBACK_URI} is also the Initiate login URI for auto sign-on`
      : `${CORTEX_CALLBACK_URI} is Cortex's callback and the Initiate login URI for auto sign-on`,
  );
  return `${out.join('. ')}.`;
}

/** Sign-in pages are bigger than error pages; we only need the start of either. */
const MAX_BODY = 256 * 1024;

/** The authorization request Cortex's sign-in would start with, minus the user. */
export function authorizationUrl(
  endpoint: string,
  clientId: string,
  redirectUri: string,
  state: string,
): URL {
  const url = new URL(endpoint);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', 'openid');
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('state', state);
  return url;
}

/** Same callback address: scheme, host, port and path equal (the provider appends its own query). */
function sameEndpoint(a: URL, b: URL): boolean {
  return (
    a.protocol === b.protocol && a.host.toLowerCase() === b.host.toLowerCase() && a.pathname === b.pathname
  );
}

/** origin + path only: a login URL's query can carry one-time tokens. */
function bare(u: URL): string {
  return `${u.origin}${u.pathname}`;
}

function whyRejected(e: OAuthError): string {
  switch (e.error) {
    case 'unauthorized_client':
      return 'the app may not use the Authorization Code grant (Okta: Applications > your app > General > Grant type)';
    case 'access_denied':
      return "the authorization server's access policy has no rule for this app and Authorization Code, or the app is not assigned (Okta: Security > API > Authorization Servers > Access Policies, and the app's Assignments)";
    case 'unsupported_response_type':
      return 'the app may not use response_type=code';
    case 'invalid_scope':
      return 'the app or authorization server does not allow the openid scope';
    default:
      return 'the request was refused before any user signed in';
  }
}

async function runRedirectUri(
  target: Target & { issuer: ParsedIssuer },
  ctx: CheckContext,
): Promise<CheckOutcome> {
  const clientId = ctx.options.clientId;
  if (!clientId) return { status: 'skip', title: 'No client ID given: redirect URI not checked' };
  const redirectUri = ctx.options.redirectUri ?? CORTEX_CALLBACK_URI;
  const endpoint = target.facts.discovery?.authorization_endpoint;
  let url: URL;
  try {
    if (typeof endpoint !== 'string') throw new TypeError('missing');
    url = authorizationUrl(endpoint, clientId, redirectUri, randomBytes(16).toString('base64url'));
  } catch {
    return {
      status: 'warn',
      code: 'REDIRECT_URI_UNCHECKED',
      title: 'The redirect URI could not be checked',
      detail: 'The discovery document names no usable authorization_endpoint.',
      data: { redirectUri },
    };
  }
  const data: Record<string, unknown> = { redirectUri, clientId, authorizationEndpoint: bare(url) };
  const unchecked = (title: string, detail: string): CheckOutcome => ({
    status: 'warn',
    code: 'REDIRECT_URI_UNCHECKED',
    title,
    detail: `${detail} Authorization URL: ${url.href}`,
    data,
  });

  let res: HttpResponse;
  try {
    res = await getAuthorizationPage(url, target, ctx, MAX_BODY);
  } catch (err) {
    const f = requestFailure(err);
    if (f.networkCode !== undefined) data.networkCode = f.networkCode;
    return unchecked(
      'The authorization endpoint could not be reached: redirect URI not checked',
      `${f.detail}.`,
    );
  }
  data.status = res.status;

  if (res.status >= 300 && res.status < 400) {
    const location = headerValue(res.headers, 'location');
    let to: URL | undefined;
    try {
      to = location === undefined ? undefined : new URL(location, url);
    } catch {
      to = undefined;
    }
    if (to === undefined) {
      return unchecked(
        'The redirect URI could not be checked',
        `HTTP ${res.status} without a usable Location header.`,
      );
    }
    const back = sameEndpoint(to, new URL(redirectUri));
    const e = back ? parseRedirectError(to) : undefined;
    if (e) {
      data.error = e.error;
      return {
        status: e.error === 'invalid_request' ? 'warn' : 'fail',
        code: 'AUTHORIZATION_REJECTED',
        title: `Okta sends sign-in back with ${e.error}`,
        detail: `The redirect URI ${redirectUri} is registered (the server redirected to it), but with ${describeError(e)}: ${whyRejected(e)}.`,
        data,
      };
    }
    data.location = bare(to);
    return {
      status: 'pass',
      title: 'The redirect URI is registered',
      detail: back
        ? `The authorization endpoint accepted ${redirectUri} for client ${clientId} and redirected straight back to it (HTTP ${res.status}).`
        : `The authorization endpoint accepted ${redirectUri} for client ${clientId} and sent the browser on to sign in (HTTP ${res.status} to ${bare(to)}).`,
      data,
    };
  }

  if (res.status === 429) {
    return unchecked(
      'Rate-limited by the issuer: redirect URI not checked',
      `HTTP 429; ${retryHint(res.headers, ctx.now())}.`,
    );
  }

  if (res.status === 200) {
    return {
      status: 'pass',
      title: 'The redirect URI is registered',
      detail: `The authorization endpoint accepted ${redirectUri} for client ${clientId} and showed a page (HTTP 200, a sign-in page).`,
      data,
    };
  }

  // Okta's page for a custom authorization server in an org without API Access Management.
  const noApiAm = apiAccessManagementProblem(res, target.issuer, `GET ${bare(url)}`);
  if (noApiAm) return { status: 'fail', ...noApiAm, data };
  const e = parseErrorResponse(res);
  if (e) data.error = e.error;
  if (res.status >= 400 && res.status < 500 && e) {
    if (e.error.toLowerCase() === 'invalid_client') {
      return {
        status: 'fail',
        code: 'CLIENT_UNKNOWN',
        title: `The client ID ${clientId} is not known to this issuer`,
        detail: `The authorization endpoint answered HTTP ${res.status} ${describeError(e)}.`,
        data,
      };
    }
    if (namesRedirectUri(e)) {
      const where = 'Okta: Applications > your app > General > Login > Sign-in redirect URIs';
      return {
        status: 'fail',
        code: 'REDIRECT_URI_NOT_REGISTERED',
        title: "Cortex's redirect URI is not registered in the Okta app",
        detail:
          `The authorization endpoint answered HTTP ${res.status} ${describeError(e)}: the redirect URI probed, ${redirectUri}, is not a sign-in redirect URI of app ${clientId}. ` +
          `Add exactly this value: ${redirectUri} (the match is exact: scheme, host, path, letter case and trailing slash). ` +
          otherCortexAddresses(redirectUri),
        advice: `In ${where}, add exactly: ${redirectUri}`,
        data,
      };
    }
  }
  return unchecked(
    'The redirect URI could not be checked',
    `HTTP ${res.status}${e ? ` ${describeError(e)}` : ''} from the authorization endpoint.`,
  );
}

export const check: Check = {
  id: 'redirect-uri',
  needs: ['discovery'],
  run: runRedirectUri,
};
