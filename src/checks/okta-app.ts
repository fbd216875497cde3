/**
 * The Okta app's own settings, as read by okta-api (GET /api/v1/apps/{clientId}). One check per
 * setting an admin changes in a different place of the Okta admin console, so each finding names
 * exactly one fix. Field names are the spec's (OpenIdConnectApplication, okta-management-openapi-spec).
 */
import { CODES } from '../codes.js';
import { CORTEX_CALLBACK_URI } from '../cortex/types.js';
import type { OktaApp } from '../okta/management.js';
import type { Check, CheckContext, CheckOutcome, Target } from './types.js';

/** What Cortex's Okta guide names as the initiate login URI (auto sign-on from the Okta dashboard). */
const CORTEX_INITIATE_LOGIN_URI = CORTEX_CALLBACK_URI;
/** Hosts that are Cortex's own (its Auth0 tenant and its web app). */
const CORTEX_HOSTS = ['cortexapp.auth0.com', 'app.getcortexapp.com'];

const GENERAL_SETTINGS =
  'Okta admin console > Applications > Applications > your app > General > General Settings > Edit';

function withApp(run: (app: OktaApp, target: Target, ctx: CheckContext) => CheckOutcome): Check['run'] {
  return async (target, ctx) => {
    const app = target.facts.oktaApp;
    if (!app) return { status: 'skip', title: 'Skipped: the Okta app was not read' };
    return run(app, target, ctx);
  };
}

const appCheck: Check = {
  id: 'okta-app',
  needs: ['okta-api'],
  run: withApp((app) => {
    const problems: CheckOutcome[] = [];
    if ((app.status ?? '').toUpperCase() !== 'ACTIVE') {
      problems.push({
        status: 'fail',
        code: 'OKTA_APP_INACTIVE',
        title: `The Okta app is ${app.status ?? 'of unknown status'}, not ACTIVE`,
        detail: `status is ${JSON.stringify(app.status ?? null)}: Okta refuses every sign-in to an app that is not active.`,
      });
    }
    const notOidc = app.signOnMode !== 'OPENID_CONNECT';
    const notWeb = app.applicationType !== 'web';
    if (notOidc || notWeb) {
      const what = [
        notOidc ? `signOnMode is ${JSON.stringify(app.signOnMode ?? null)}, not OPENID_CONNECT` : '',
        notWeb
          ? `settings.oauthClient.application_type is ${JSON.stringify(app.applicationType ?? null)}, not web`
          : '',
      ].filter(Boolean);
      problems.push({
        status: 'fail',
        code: 'OKTA_APP_NOT_OIDC',
        title: notOidc
          ? 'The Okta app is not an OpenID Connect app'
          : 'The Okta app is not a Web application',
        detail: `${what.join('; ')}. Cortex signs in as a confidential OIDC web client.`,
      });
    }
    const data = {
      status: app.status ?? null,
      signOnMode: app.signOnMode ?? null,
      applicationType: app.applicationType ?? null,
    };
    const first = problems[0];
    if (!first) {
      return {
        status: 'pass',
        title: 'The app is an active OpenID Connect web application',
        detail: 'status ACTIVE, signOnMode OPENID_CONNECT, application_type web.',
        data,
      };
    }
    return {
      ...first,
      detail: problems.map((p) => p.detail).join(' '),
      ...(problems.length > 1
        ? { advice: problems.map((p) => (p.code ? CODES[p.code].advice : '')).join(' Then: ') }
        : {}),
      data: { ...data, findings: problems.map((p) => p.code) },
    };
  }),
};

const grantCheck: Check = {
  id: 'okta-grant',
  needs: ['okta-api'],
  run: withApp((app) => {
    const data = { grantTypes: app.grantTypes };
    if (app.grantTypes.includes('authorization_code')) {
      return {
        status: 'pass',
        title: 'The app allows the Authorization Code grant',
        detail: `grant_types: ${app.grantTypes.join(', ')}.`,
        data,
      };
    }
    return {
      status: 'fail',
      code: 'OKTA_GRANT_MISSING',
      title: 'The app does not allow the Authorization Code grant',
      detail: `settings.oauthClient.grant_types is [${app.grantTypes.join(', ')}]; Cortex signs users in with authorization_code. Fix it in ${GENERAL_SETTINGS} > Grant type > Authorization Code.`,
      data,
    };
  }),
};

/** How a registered URI nearly matches the wanted one (Okta matches exactly). */
function nearMiss(registered: string, wanted: string): string | undefined {
  if (registered.toLowerCase() === wanted.toLowerCase()) return 'differs only in letter case';
  const strip = (s: string) => s.replace(/\/+$/, '');
  if (strip(registered) === strip(wanted)) return 'differs only by a trailing slash';
  if (registered.replace(/^http:/, 'https:') === wanted) return 'uses http instead of https';
  return undefined;
}

const redirectCheck: Check = {
  id: 'okta-redir',
  needs: ['okta-api'],
  run: withApp((app, _target, ctx) => {
    const wanted = ctx.options.redirectUri ?? CORTEX_CALLBACK_URI;
    const data = { redirectUri: wanted, registered: app.redirectUris };
    if (app.redirectUris.includes(wanted)) {
      return {
        status: 'pass',
        title: "Cortex's redirect URI is registered on the app",
        detail: `${wanted} is one of the app's ${app.redirectUris.length} sign-in redirect URI(s).`,
        data,
      };
    }
    const near = app.redirectUris
      .map((r) => ({ r, why: nearMiss(r, wanted) }))
      .filter((x): x is { r: string; why: string } => x.why !== undefined);
    const registered = app.redirectUris.length ? app.redirectUris.join(', ') : 'none';
    return {
      status: 'fail',
      code: 'OKTA_REDIRECT_URI_MISSING',
      title: "Cortex's redirect URI is not registered on the app",
      detail: `settings.oauthClient.redirect_uris (${registered}) lacks ${wanted}${near.length ? `; ${near.map((n) => `${n.r} ${n.why}, and Okta matches exactly`).join('; ')}` : ''}.`,
      advice: `${GENERAL_SETTINGS} > Sign-in redirect URIs > Add URI: ${wanted}, then Save.`,
      data,
    };
  }),
};

const authMethodCheck: Check = {
  id: 'okta-secret',
  needs: ['okta-api'],
  run: withApp((app) => {
    const method = app.tokenEndpointAuthMethod;
    const data = { tokenEndpointAuthMethod: method ?? null };
    if (method === undefined || method === 'client_secret_basic') {
      return {
        status: 'pass',
        title: 'The app authenticates with client_secret_basic, as Cortex does',
        detail:
          method === undefined
            ? "credentials.oauthClient.token_endpoint_auth_method is not stated; Okta's default is client_secret_basic."
            : 'credentials.oauthClient.token_endpoint_auth_method is client_secret_basic.',
        data,
      };
    }
    if (method === 'client_secret_post') {
      return {
        status: 'warn',
        code: 'OKTA_AUTH_METHOD_POST',
        title: 'The app expects client_secret_post; Cortex sends client_secret_basic',
        detail:
          'credentials.oauthClient.token_endpoint_auth_method is client_secret_post: the secret is expected in the form body, while Cortex sends it with HTTP Basic.',
        data,
      };
    }
    return {
      status: 'fail',
      code: 'OKTA_AUTH_METHOD_UNSUPPORTED',
      title: `The app authenticates with ${method}, not a client secret`,
      detail: `credentials.oauthClient.token_endpoint_auth_method is ${method}; Cortex only sends a client ID and secret (client_secret_basic).`,
      data,
    };
  }),
};

function isCortexHost(uri: string, redirectUri: string): boolean {
  try {
    const host = new URL(uri).hostname.toLowerCase();
    const own = new URL(redirectUri).hostname.toLowerCase();
    return CORTEX_HOSTS.includes(host) || host === own;
  } catch {
    return false;
  }
}

const initiateLoginCheck: Check = {
  id: 'okta-sign-on',
  needs: ['okta-api'],
  run: withApp((app, _target, ctx) => {
    const uri = app.initiateLoginUri?.trim();
    const data = {
      initiateLoginUri: uri || null,
      ...(app.idpInitiatedLoginMode ? { idpInitiatedLoginMode: app.idpInitiatedLoginMode } : {}),
    };
    if (!uri) {
      return {
        status: 'pass',
        title: 'No initiate login URI: no auto sign-on from the Okta dashboard',
        detail: `settings.oauthClient.initiate_login_uri is empty; for the Okta dashboard tile, Cortex's guide uses ${CORTEX_INITIATE_LOGIN_URI}.`,
        data,
      };
    }
    if (isCortexHost(uri, ctx.options.redirectUri ?? CORTEX_CALLBACK_URI)) {
      return {
        status: 'pass',
        title: "Auto sign-on starts at Cortex's initiate login URI",
        detail: `settings.oauthClient.initiate_login_uri is ${uri}.`,
        data,
      };
    }
    return {
      status: 'warn',
      code: 'OKTA_INITIATE_LOGIN_URI',
      title: 'Auto sign-on is configured but points somewhere else than Cortex',
      detail: `settings.oauthClient.initiate_login_uri is ${uri}; Cortex's guide uses ${CORTEX_INITIATE_LOGIN_URI}. Sign-in from Cortex itself is not affected.`,
      advice: `${GENERAL_SETTINGS} > Initiate login URI: ${CORTEX_INITIATE_LOGIN_URI}, or clear it if nobody uses the Okta dashboard tile.`,
      data,
    };
  }),
};

export const checks: readonly Check[] = [
  appCheck,
  grantCheck,
  redirectCheck,
  authMethodCheck,
  initiateLoginCheck,
];
