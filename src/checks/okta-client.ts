/**
 * What the okta-* checks share (not a check): the management client of a target, kept in
 * target.facts.oktaManagement so every okta-* check reuses the one okta-api opened, and Okta's
 * API errors as check outcomes.
 */
import { mapNetError } from '../net/errors.js';
import { isHttpTimeout } from '../net/http.js';
import { createOktaManagement, OktaApiError } from '../okta/management.js';
import type { CheckContext, CheckOutcome, Target } from './types.js';

/** The management client of a target (one per run and issuer), or undefined without a token. */
export function managementFor(target: Target & { issuer: { url: URL } }, ctx: CheckContext) {
  const token = ctx.options.oktaApiToken;
  if (!token) return undefined;
  let client = target.facts.oktaManagement;
  if (!client) {
    client = createOktaManagement({
      orgUrl: target.issuer.url.origin,
      token,
      dispatcher: ctx.net.dispatcher(target.facts.proxy ?? null),
      timeoutMs: ctx.options.timeoutMs,
      ...(ctx.options.oktaRateLimitMaxWaitMs !== undefined
        ? { maxRateLimitWaitMs: ctx.options.oktaRateLimitMaxWaitMs }
        : {}),
      now: () => ctx.now(),
    });
    target.facts.oktaManagement = client;
  }
  return client;
}

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * An OktaApiError as a check outcome: each of Okta's documented errors with its own code. `what`
 * says what was being read ("the app 0oa…", "the access policies of authorization server default").
 */
export function oktaErrorOutcome(err: unknown, what: string, org: string, isApp = false): CheckOutcome {
  if (!(err instanceof OktaApiError)) throw err;
  const data: Record<string, unknown> = { path: err.path };
  if (err.status !== undefined) data.status = err.status;
  if (err.errorCode) data.errorCode = err.errorCode;
  if (err.errorId) data.errorId = err.errorId;
  const answer = err.message;
  switch (err.kind) {
    case 'invalid-token':
      return {
        status: 'fail',
        code: 'OKTA_TOKEN_INVALID',
        title: `Okta refused the API token (${err.errorCode ?? 'HTTP 401'})`,
        detail: `${org} answered ${answer}. The token is wrong, revoked, expired or from another org.`,
        data,
      };
    case 'forbidden':
      return {
        status: 'fail',
        code: 'OKTA_FORBIDDEN',
        title: `The API token may not read ${what}`,
        detail: `${org} answered ${answer}.`,
        data,
      };
    case 'not-found':
      if (!isApp) {
        // The app was found, so the org is right: the issuer names something this org does not have.
        return {
          status: 'warn',
          code: 'OKTA_API_UNCHECKED',
          title: `Okta did not find ${what}: not checked`,
          detail: `${org} answered ${answer}. Check that the issuer's authorization server id is right.`,
          data,
        };
      }
      return {
        status: 'fail',
        code: 'OKTA_APP_NOT_FOUND',
        title: `Okta has no ${what}`,
        detail: `${org} answered ${answer}: a wrong client ID, or the token belongs to another Okta org than the issuer.`,
        data,
      };
    case 'rate-limited': {
      const at = err.resetAt;
      if (at) data.resetAt = iso(at);
      return {
        status: 'warn',
        code: 'OKTA_RATE_LIMITED',
        title: `Rate-limited by Okta: ${what} not checked`,
        detail: `${org} answered ${answer}${at ? `; the limit resets at ${iso(at)}` : ''}.`,
        advice: `Run the audit again${at ? ` after ${iso(at)}` : ' in a minute'}; other scripts using the same token share its limit.`,
        data,
      };
    }
    case 'network': {
      let why = 'no answer';
      if (isHttpTimeout(err.cause)) why = err.cause.message;
      else if (err.cause !== undefined) {
        const mapped = mapNetError(err.cause);
        why = `${mapped.detail} [${mapped.code}]`;
        data.networkCode = mapped.code;
      }
      return {
        status: 'warn',
        code: 'OKTA_API_UNCHECKED',
        title: `Okta's management API could not be reached: ${what} not checked`,
        detail: `${answer}: ${why}.`,
        data,
      };
    }
    default:
      return {
        status: 'warn',
        code: 'OKTA_API_UNCHECKED',
        title: `Okta's management API gave no usable answer: ${what} not checked`,
        detail: `${answer}.`,
        data,
      };
  }
}
