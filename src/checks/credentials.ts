import { randomBytes } from 'node:crypto';
import { CORTEX_CALLBACK_URI } from '../cortex/types.js';
import type { HttpResponse } from '../net/http.js';
import { isLoopbackHost } from '../okta/issuer.js';
import {
  describeError,
  namesRedirectUri,
  namesUnknownClient,
  type OAuthError,
  parseErrorResponse,
  retryHint,
} from '../okta/oauth-errors.js';
import { getAuthorizationPage, issuerRequest, requestFailure } from './probe.js';
import type { Check, CheckContext, CheckOutcome, Target } from './types.js';

/** Error bodies are small; anything bigger is not an OAuth answer. */
const MAX_BODY = 64 * 1024;

/** A redirect URI no app registers: the client probe uses it so the server stops at redirect_uri validation. */
export const PROBE_REDIRECT_URI = 'https://cortex-sso.invalid/client-probe';

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before they are joined and base64-encoded. */
export function basicAuthHeader(clientId: string, clientSecret: string): string {
  const enc = (s: string) => new URLSearchParams({ v: s }).toString().slice(2);
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
}

function endpoint(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u : undefined;
  } catch {
    return undefined;
  }
}

type ClientProbe = 'unknown' | 'known' | 'inconclusive';

/**
 * Does the issuer know this client ID? GET the authorization endpoint with only the client_id and a
 * redirect URI nobody registers: an unknown client is rejected as invalid_client ("client is invalid",
 * "Invalid value for 'client_id'"); a known one gets past client lookup and fails on the redirect URI.
 */
export async function probeClientId(
  authorizationEndpoint: URL,
  clientId: string,
  target: Target,
  ctx: CheckContext,
): Promise<{ result: ClientProbe; note: string }> {
  const url = new URL(authorizationEndpoint.href);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', PROBE_REDIRECT_URI);
  let res: HttpResponse;
  try {
    res = await getAuthorizationPage(url, target, ctx, MAX_BODY);
  } catch (err) {
    return {
      result: 'inconclusive',
      note: `the authorization endpoint could not be asked: ${requestFailure(err).detail}`,
    };
  }
  const e = parseErrorResponse(res);
  if (e && e.error.toLowerCase() === 'invalid_client') {
    return { result: 'unknown', note: `the authorization endpoint also rejects it: ${describeError(e)}` };
  }
  if (e && namesRedirectUri(e)) {
    return {
      result: 'known',
      note: 'the authorization endpoint knows the client ID (it got as far as checking the redirect URI)',
    };
  }
  if (res.status >= 300 && res.status < 400) {
    return {
      result: 'known',
      note: 'the authorization endpoint knows the client ID (it answered with a redirect)',
    };
  }
  return {
    result: 'inconclusive',
    note: `the authorization endpoint's answer (HTTP ${res.status}${e ? `, ${describeError(e)}` : ''}) does not tell whether the client ID exists`,
  };
}

async function runCredentials(target: Target, ctx: CheckContext): Promise<CheckOutcome> {
  const { clientId, clientSecret } = ctx.options;
  if (!clientId || !clientSecret) {
    return { status: 'skip', title: 'No client ID and secret given: credentials not checked' };
  }
  const tokenEndpoint = endpoint(target.facts.discovery?.token_endpoint);
  if (!tokenEndpoint) {
    return {
      status: 'warn',
      code: 'CREDENTIALS_UNCHECKED',
      title: 'The credentials could not be checked',
      detail: 'The discovery document names no usable token_endpoint.',
    };
  }
  if (
    tokenEndpoint.protocol !== 'https:' &&
    !(ctx.options.allowHttpLoopback && isLoopbackHost(tokenEndpoint.hostname))
  ) {
    return {
      status: 'fail',
      code: 'DISCOVERY_INSECURE_ENDPOINT',
      title: 'The token endpoint is not https: the secret was not sent',
      detail: `token_endpoint is ${tokenEndpoint.href}; cortex-sso never sends a client secret over plain http.`,
    };
  }
  const ending = clientSecret.lastFour ? ` ending in ${clientSecret.lastFour}` : '';
  const redirectUri = ctx.options.redirectUri ?? CORTEX_CALLBACK_URI;
  const data: Record<string, unknown> = {
    tokenEndpoint: tokenEndpoint.href,
    clientId,
    grant: 'authorization_code',
    redirectUri,
  };

  // The grant Cortex uses, with a code no server has issued: the server authenticates the client
  // first, so invalid_client means the credentials are wrong and invalid_grant means they were accepted.
  let res: HttpResponse;
  try {
    res = await issuerRequest(tokenEndpoint.href, target, ctx, {
      maxBytes: MAX_BODY,
      method: 'POST',
      headers: {
        authorization: basicAuthHeader(clientId, clientSecret.reveal()),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: probeCode(),
        redirect_uri: redirectUri,
      }).toString(),
    });
  } catch (err) {
    const f = requestFailure(err);
    return {
      status: 'warn',
      code: 'CREDENTIALS_UNCHECKED',
      title: 'The token endpoint could not be reached: credentials not checked',
      detail: `POST ${tokenEndpoint.href} failed: ${f.detail}`,
      data: { ...data, networkCode: f.networkCode ?? 'TIMEOUT' },
    };
  }
  data.status = res.status;
  const e = res.truncated ? undefined : parseErrorResponse(res);
  if (e) data.error = e.error;
  if (e?.errorId) data.errorId = e.errorId;
  const said = e ? describeError(e) : res.truncated ? `a body over ${MAX_BODY} bytes` : 'no OAuth error';

  if (res.status === 429) {
    const hint = retryHint(res.headers, ctx.now());
    return {
      status: 'warn',
      code: 'CREDENTIALS_UNCHECKED',
      title: 'Rate-limited by the issuer: credentials not checked',
      detail: `The token endpoint answered HTTP 429${e ? ` ${describeError(e)}` : ''}; ${hint}.`,
      advice: `Wait, then run the command again: ${hint}.`,
      data,
    };
  }

  if (e?.error.toLowerCase() === 'invalid_grant') {
    return {
      status: 'pass',
      title: 'Client ID and secret accepted',
      detail: `The token endpoint authenticated client ${clientId}${ending ? ` (secret${ending})` : ''} and then refused the made-up authorization code (HTTP ${res.status} ${said}), as expected.`,
      data,
    };
  }

  // RFC 6749 §5.2: a failed client authentication is invalid_client, in the body (RFC form or Okta's
  // errorCode form) or in a WWW-Authenticate challenge. A 401 that names no error decides nothing.
  if (e?.error.toLowerCase() === 'invalid_client') {
    if (e && namesUnknownClient(e)) {
      return {
        status: 'fail',
        code: 'CLIENT_UNKNOWN',
        title: `The client ID ${clientId} is not known to this issuer`,
        detail: `The token endpoint answered HTTP ${res.status} ${said}.`,
        data,
      };
    }
    const authz = endpoint(target.facts.discovery?.authorization_endpoint);
    const probe = authz
      ? await probeClientId(authz, clientId, target, ctx)
      : {
          result: 'inconclusive' as const,
          note: 'the discovery document names no authorization endpoint to tell which',
        };
    data.clientProbe = probe.result;
    if (probe.result === 'unknown') {
      return {
        status: 'fail',
        code: 'CLIENT_UNKNOWN',
        title: `The client ID ${clientId} is not known to this issuer`,
        detail: `The token endpoint answered HTTP ${res.status} ${said}, and ${probe.note}.`,
        data,
      };
    }
    if (probe.result === 'known') {
      return {
        status: 'fail',
        code: 'CREDENTIALS_INVALID',
        title: 'The client secret is wrong',
        detail: `The token endpoint answered HTTP ${res.status} ${said}; ${probe.note}, so the secret${ending} does not match client ${clientId}.`,
        data,
      };
    }
    return {
      status: 'fail',
      code: 'CREDENTIALS_INVALID',
      title: 'The client ID or client secret is wrong',
      detail: `The token endpoint answered HTTP ${res.status} ${said} for client ${clientId} and the secret${ending}; ${probe.note}.`,
      data,
    };
  }

  // Anything else proves nothing either way: never "accepted", never "invalid".
  const why = e
    ? uncheckedBecause(e)
    : res.status === 401
      ? 'a 401 that names no OAuth error may come from something in between, not the authorization server'
      : undefined;
  return {
    status: 'warn',
    code: 'CREDENTIALS_UNCHECKED',
    title:
      res.status >= 500
        ? 'The token endpoint failed: credentials not checked'
        : 'The token endpoint gave no usable answer: credentials not checked',
    detail: `POST ${tokenEndpoint.href} (authorization_code with a made-up code) answered HTTP ${res.status} ${said}${why ? `: ${why}` : ''}. Only invalid_client or invalid_grant tell whether the secret is right.`,
    data,
  };
}

/** A code no authorization server has issued: random, and says what it is in a server's log. */
function probeCode(): string {
  return `cortex-sso-probe-${randomBytes(18).toString('base64url')}`;
}

/** What a non-conclusive OAuth error usually means for Cortex's sign-in. */
function uncheckedBecause(e: OAuthError): string | undefined {
  switch (e.error) {
    case 'unauthorized_client':
      return 'the app may not use the Authorization Code grant, which Cortex needs (Okta: Applications > your app > General > Grant type)';
    case 'unsupported_grant_type':
      return 'the server does not offer the Authorization Code grant, which Cortex needs';
    case 'invalid_request':
      return /grant/i.test(e.description ?? '')
        ? 'the app may not use the Authorization Code grant, which Cortex needs'
        : 'the server found the request itself unacceptable';
    default:
      return undefined;
  }
}

export const check: Check = {
  id: 'credentials',
  needs: ['discovery'],
  run: runCredentials,
};
