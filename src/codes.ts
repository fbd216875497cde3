/**
 * Every code the tool can report: the one place that turns a low-level failure into words.
 * `title` is one line, `cause` says what usually produces it, `advice` how to fix it.
 * docs/codes.md is generated from this table (`npm run docs:codes`) and a test keeps them in sync;
 * another test proves every code is produced by a real scenario.
 *
 * Rule for advice: never suggest turning certificate verification off.
 */
export interface CodeInfo {
  title: string;
  cause: string;
  advice: string;
}

export const CODES = {
  // ── issuer-url ──────────────────────────────────────────────────────────────
  ISSUER_URL_INVALID: {
    title: 'The issuer URL is not usable',
    cause:
      'The value is not an https URL of an OpenID issuer: wrong scheme, credentials, query or fragment, or not a URL at all.',
    advice:
      'Use the issuer exactly as Okta shows it: https://{your-org}.okta.com for the org authorization server, or https://{your-org}.okta.com/oauth2/{authServerId} for a custom one (Security > API > Authorization Servers).',
  },
  ISSUER_ADMIN_DOMAIN: {
    title: 'This is the Okta admin console, not an issuer',
    cause: '{org}-admin.okta.com serves the admin console; it never issues tokens.',
    advice: 'Drop "-admin" from the host name: https://{org}.okta.com is the issuer.',
  },
  ISSUER_NORMALIZED: {
    title: 'The issuer was normalized',
    cause: 'The value had a trailing slash, a pasted discovery URL or an endpoint path.',
    advice: 'Save the normalized value shown here; OpenID clients compare the issuer exactly.',
  },
  // ── dns ─────────────────────────────────────────────────────────────────────
  DNS_NOT_FOUND: {
    title: 'The host name does not exist',
    cause: 'DNS answered that no such name exists (NXDOMAIN): usually a typo in the Okta domain.',
    advice:
      'Check the spelling of the Okta domain in the issuer (Okta admin console > Settings > Account, or the issuer shown on the authorization server).',
  },
  DNS_FAILURE: {
    title: 'The DNS resolver failed',
    cause: 'The resolver could not be reached or returned a server failure (EAI_AGAIN, SERVFAIL, refused).',
    advice:
      "Check this machine's DNS settings (/etc/resolv.conf, VPN split DNS); try again; ask the network team whether outbound DNS is filtered.",
  },
  DNS_TIMEOUT: {
    title: 'DNS lookup timed out',
    cause: 'The resolver did not answer within the timeout.',
    advice: 'Check that a resolver is reachable from this machine; raise --timeout if the network is slow.',
  },
  // ── tcp ─────────────────────────────────────────────────────────────────────
  TCP_REFUSED: {
    title: 'Connection refused',
    cause:
      'The address answered with a TCP reset: nothing listens on that port, or a firewall rejects the connection.',
    advice:
      'Check the port in the issuer URL (Okta serves https on 443); ask the network team whether outbound 443 to this host is allowed.',
  },
  TCP_TIMEOUT: {
    title: 'Connection timed out',
    cause:
      'No answer to the TCP connection attempt: typically a firewall that silently drops outbound traffic.',
    advice:
      'Ask the network team to allow outbound HTTPS (TCP 443) to the Okta domain, or set HTTPS_PROXY if traffic must go through a proxy.',
  },
  TCP_UNREACHABLE: {
    title: 'Network or host unreachable',
    cause:
      'The operating system has no route to the address (EHOSTUNREACH, ENETUNREACH), e.g. IPv6 without IPv6 connectivity or a VPN route missing.',
    advice:
      'Check routing and VPN; if only some addresses fail (often IPv6), the client will usually fall back, but fix the route to be safe.',
  },
  // ── tls ─────────────────────────────────────────────────────────────────────
  TLS_TIMEOUT: {
    title: 'TLS handshake timed out',
    cause:
      'The TCP connection opened but the server never completed a TLS handshake: a middlebox swallowing traffic, or a non-TLS service that waits for the client.',
    advice:
      'Check for a firewall or TLS-inspection device between this machine and the issuer; confirm the port serves HTTPS.',
  },
  TLS_NOT_TLS: {
    title: 'The server does not speak TLS on this port',
    cause: 'The port answered in plain text (usually plain HTTP) where TLS was expected.',
    advice:
      'Use the https port of the issuer (443 for Okta); a captive portal or a misconfigured proxy can also answer in plain HTTP.',
  },
  TLS_PROTOCOL_TOO_OLD: {
    title: 'The server only offers a TLS version older than 1.2',
    cause:
      'The handshake failed on the protocol version: the server (or a middlebox) offers only TLS 1.0/1.1. Okta requires TLS 1.2 or newer.',
    advice: 'The server or an inspecting proxy must be upgraded to TLS 1.2+; Okta itself never offers less.',
  },
  TLS_HANDSHAKE_FAILED: {
    title: 'TLS handshake failed',
    cause: 'The server or a middlebox aborted the handshake (reset, alert, no shared cipher).',
    advice:
      'Look for TLS inspection or a proxy between this machine and the issuer; compare with `openssl s_client -connect host:443 -servername host`.',
  },
  // ── certificate ─────────────────────────────────────────────────────────────
  CERT_EXPIRED: {
    title: 'The certificate has expired',
    cause: "A certificate in the chain is past its notAfter date (or this machine's clock is far ahead).",
    advice:
      "If the issuer is a custom domain, renew its certificate in Okta (Customizations > Domain); otherwise check this machine's clock.",
  },
  CERT_NOT_YET_VALID: {
    title: 'The certificate is not valid yet',
    cause: "A certificate's notBefore date is in the future: usually this machine's clock is behind.",
    advice:
      "Synchronise this machine's clock (NTP); if the clock is right, the certificate was issued with a wrong start date.",
  },
  CERT_EXPIRES_SOON: {
    title: 'The certificate expires soon',
    cause: 'The leaf certificate expires within the --warn-days window.',
    advice:
      'Renew the certificate before it expires (for an Okta custom domain: Customizations > Domain); sign-in breaks on the expiry date.',
  },
  CERT_HOSTNAME_MISMATCH: {
    title: 'The certificate does not name this host',
    cause:
      "None of the certificate's subject alternative names matches the issuer host: a wrong host, or a proxy presenting its own certificate.",
    advice:
      'Check the issuer host name; for a custom domain make sure its certificate covers the name; if a proxy intercepts, its certificate must name the host too.',
  },
  CERT_SELF_SIGNED: {
    title: 'The server presents a self-signed certificate',
    cause:
      'The leaf certificate signs itself: a test server, a misconfigured custom domain, or an intercepting device.',
    advice:
      "Serve a certificate from a public CA on the issuer; Cortex's cloud will never trust a self-signed one.",
  },
  CERT_CHAIN_INCOMPLETE: {
    title: 'The server does not send its intermediate certificate',
    cause:
      'The leaf cannot be verified because the chain sent by the server stops before an intermediate (browsers may hide this by caching intermediates).',
    advice:
      'Configure the server (custom domain, reverse proxy) to send the full chain: leaf followed by its intermediate(s).',
  },
  CERT_UNTRUSTED_ROOT: {
    title: 'The certificate chain ends at an untrusted root',
    cause:
      "The chain leads to a root that neither Node's public roots, the system store nor --ca-file trust: usually a TLS-inspecting proxy whose root is not installed here.",
    advice:
      "If your company inspects TLS, pass its root with --ca-file or NODE_EXTRA_CA_CERTS (or install it in the system store and use NODE_USE_SYSTEM_CA=1); otherwise the issuer's certificate is wrong.",
  },
  CERT_PRIVATE_ROOT: {
    title: 'Trusted only through a private CA (TLS inspection?)',
    cause:
      "The chain is trusted only through --ca-file, NODE_EXTRA_CA_CERTS or the system store, not through public roots: something on this network re-signs the traffic. Cortex's servers see a different certificate than this machine.",
    advice:
      'This machine can reach the issuer, but results here say little about what Cortex sees. Ask the network team to exempt the Okta domains from TLS inspection, or run the check from a network without it.',
  },
  // ── discovery ───────────────────────────────────────────────────────────────
  DISCOVERY_HTTP_ERROR: {
    title: 'The discovery document could not be fetched',
    cause:
      'GET {issuer}/.well-known/openid-configuration did not answer 200: a wrong authorization server id (404), or a server error.',
    advice:
      'Check the issuer path: the org server is https://{org}.okta.com, a custom server https://{org}.okta.com/oauth2/{id}; make sure that authorization server is active.',
  },
  DISCOVERY_REDIRECT: {
    title: 'The discovery URL redirects',
    cause:
      'The server answered with a redirect. OpenID clients do not follow redirects for discovery, so sign-in fails.',
    advice: "Use the redirect target's issuer as the configured issuer (shown in the detail), exactly.",
  },
  DISCOVERY_NOT_JSON: {
    title: 'The discovery document is not JSON',
    cause:
      'The answer was HTML or other non-JSON content: a proxy error page, a login portal, or a URL that is not an issuer.',
    advice:
      'Open the discovery URL in a browser from this network; if a portal or proxy page appears, that device is in the way.',
  },
  DISCOVERY_TOO_LARGE: {
    title: 'The discovery document is too large',
    cause: 'The body passed the 1 MiB cap: not a real discovery document.',
    advice: 'Check that the issuer URL points at an OpenID provider.',
  },
  DISCOVERY_TIMEOUT: {
    title: 'The discovery request timed out',
    cause: 'The server accepted the connection but did not answer the HTTP request in time.',
    advice: 'Retry; if it persists, check proxies and TLS inspection between this machine and the issuer.',
  },
  DISCOVERY_ISSUER_MISMATCH: {
    title: 'The discovery document names a different issuer',
    cause:
      'The document\'s "issuer" differs from the configured issuer (often only by a trailing slash or http/https). Clients compare it exactly and reject the provider.',
    advice: 'Configure the issuer exactly as the document states it (shown in the detail).',
  },
  DISCOVERY_MISSING_FIELD: {
    title: 'The discovery document lacks a required field',
    cause: 'A field that an authorization-code sign-in needs is missing or wrong.',
    advice:
      'Check that the URL is an OpenID Connect issuer (not a plain OAuth server) and that the authorization server is fully configured.',
  },
  DISCOVERY_INSECURE_ENDPOINT: {
    title: 'An endpoint in the discovery document is not https',
    cause:
      'The document names an endpoint over plain http: sign-in would send codes and secrets unprotected, and clients refuse it.',
    advice: "Fix the provider's base URL so that every endpoint is https.",
  },
  // ── jwks ────────────────────────────────────────────────────────────────────
  JWKS_HTTP_ERROR: {
    title: 'The signing keys (JWKS) could not be fetched',
    cause: 'GET jwks_uri failed or did not answer 200.',
    advice: 'Check that jwks_uri is reachable from this network (it may be on another host than the issuer).',
  },
  JWKS_EMPTY: {
    title: 'The JWKS contains no keys',
    cause: 'The key set is empty: tokens cannot be verified.',
    advice:
      'Make sure the authorization server has an active signing key (Okta rotates them automatically; a custom server may be misconfigured).',
  },
  JWKS_INVALID: {
    title: 'The JWKS is malformed',
    cause: 'The answer is not a JSON key set, or a key lacks kty/kid or has an invalid alg/use.',
    advice: "Check that jwks_uri points at the provider's key set and not at an error page.",
  },
  // ── endpoints, clock, proxy ─────────────────────────────────────────────────
  ENDPOINT_UNREACHABLE: {
    title: 'An endpoint host is unreachable',
    cause:
      'A host named in the discovery document (authorization, token, userinfo or JWKS endpoint) could not be reached over TLS: custom domains can split them across hosts.',
    advice: 'Allow outbound HTTPS to every host listed in the detail, not only the issuer host.',
  },
  CLOCK_SKEW: {
    title: "This machine's clock differs from the server's",
    cause:
      "The server's Date header differs from the local clock. Tokens carry timestamps; large skew makes them look expired or not yet valid.",
    advice: 'Synchronise the clock with NTP (timedatectl set-ntp true, or w32tm /resync on Windows).',
  },
  PROXY_REFUSED: {
    title: 'The proxy refused the connection',
    cause:
      'The HTTP proxy answered the tunnel request with an error (407 needs credentials, 403 forbidden by policy) or dropped it.',
    advice:
      'Give proxy credentials in the proxy URL (http://user:pass@proxy:port, kept in the environment, not in scripts), or ask the proxy team to allow the Okta domains; add the host to NO_PROXY if it must bypass the proxy.',
  },
  PROXY_UNREACHABLE: {
    title: 'The proxy cannot be reached',
    cause:
      'The proxy named by --proxy or HTTPS_PROXY/HTTP_PROXY does not accept connections: its host name does not resolve, the port is closed or filtered, or the value points at the wrong machine.',
    advice:
      'Check the proxy address and port (--proxy, HTTPS_PROXY, HTTP_PROXY) with the network team, or unset them if this network reaches the internet without a proxy. The issuer itself was not contacted.',
  },
  // ── verify probes ───────────────────────────────────────────────────────────
  CREDENTIALS_INVALID: {
    title: 'The client ID or client secret is wrong',
    cause:
      'The token endpoint answered invalid_client to an authorization_code request with a made-up code: the client is authenticated before the code is looked at, so the secret does not match the client (or the client ID is wrong).',
    advice:
      'Copy the client secret again from the Okta app (Applications > your app > General > Client Credentials); it may have been rotated.',
  },
  CLIENT_UNKNOWN: {
    title: 'The client ID is not known to this issuer',
    cause:
      'The issuer has no application with this client ID: a typo, or an app on another authorization server or Okta org.',
    advice:
      "Copy the client ID from the Okta app's General tab and check that the issuer belongs to the same Okta org.",
  },
  CREDENTIALS_UNCHECKED: {
    title: 'The credentials could not be checked',
    cause:
      'The token endpoint gave no answer that tells whether the secret is right: only invalid_client (wrong) and invalid_grant (accepted) do. Network failure, timeout, server error, rate limit, or another OAuth error such as unauthorized_client (the app lacks the Authorization Code grant).',
    advice: 'Run `cortex-sso diagnose` for the issuer, then try again.',
  },
  REDIRECT_URI_NOT_REGISTERED: {
    title: "Cortex's redirect URI is not registered in the Okta app",
    cause:
      'The authorization endpoint rejected the redirect URI Cortex uses: it must match a "Sign-in redirect URI" of the app exactly (scheme, case, trailing slash).',
    advice:
      'In Okta: Applications > your app > General > Login > Sign-in redirect URIs, add the exact value shown in the detail.',
  },
  REDIRECT_URI_UNCHECKED: {
    title: 'The redirect URI could not be checked',
    cause: 'The authorization endpoint answered in a way that says neither yes nor no.',
    advice: 'Open the authorization URL from the detail in a browser and look at the error Okta shows.',
  },
  OKTA_API_AM_REQUIRED: {
    title: 'This Okta org has no API Access Management: use the org authorization server',
    cause:
      'The issuer is a custom authorization server (/oauth2/default or /oauth2/{id}), which needs Okta\'s paid API Access Management. Without it Okta answers 401 E0000015 "You do not have permission to access the feature you are requesting", and its authorization page says "The requested feature is not enabled in this environment."',
    advice:
      'Use the org authorization server as the issuer: https://{your-org}.okta.com, no path and no trailing slash (the detail shows the exact value). Or have API Access Management enabled for the org and keep the custom authorization server.',
  },
  AUTHORIZATION_REJECTED: {
    title: "The authorization endpoint rejects Cortex's sign-in request",
    cause:
      'The redirect URI is registered, but Okta sent the browser back with an error (access_denied, unauthorized_client, ...): the app may not use the Authorization Code grant, or its access policy or assignments reject the request.',
    advice:
      "In Okta: Applications > your app > General > Grant type must include Authorization Code; check the authorization server's access policies (Security > API > Authorization Servers > Access Policies) and the app's assignments.",
  },
  // ── connector / API / local state ───────────────────────────────────────────
  USAGE: {
    title: 'Invalid usage',
    cause: 'A flag or argument is missing, unknown or malformed.',
    advice: 'Run the command with --help to see its options.',
  },
  INPUT_MISSING: {
    title: 'A required value is missing',
    cause:
      'The command cannot prompt (no terminal, --no-input or CI) and a value was not given by flag, environment or stdin.',
    advice: 'Give each missing value as listed in the message.',
  },
  INPUT_INVALID: {
    title: 'A value is malformed',
    cause: 'A value given by flag, environment or prompt failed validation.',
    advice:
      'Give the value in the form the message asks for: URLs https (http only for localhost) without credentials, query or fragment; IDs, tokens and secrets copied whole, without spaces or line breaks; profile names of letters, digits, ".", "_" or "-". `--help` shows every option.',
  },
  PREFLIGHT_FAILED: {
    title: 'Pre-flight checks failed; nothing was pushed',
    cause:
      'The new issuer or credentials failed verification. Saving them would lock every user out, since sign-in goes only through Okta.',
    advice:
      'Fix the failures listed above and run the command again; --force pushes anyway (not recommended).',
  },
  API_UNAUTHORIZED: {
    title: 'No usable Cortex API key',
    cause:
      'No API key was found (CORTEX_API_KEY, the keychain, ~/.cortex/config), or Cortex rejected it (HTTP 401: wrong, revoked or expired).',
    advice:
      'Create a personal access token in Cortex (Settings > API keys), then `cortex-sso auth login` or set CORTEX_API_KEY.',
  },
  API_FORBIDDEN: {
    title: 'The API key may not change SSO settings',
    cause: 'HTTP 403: the key\'s user lacks the "Configure OpenID Connector & SCIM" permission.',
    advice: 'Use an API key of a user whose role has the "Configure OpenID Connector & SCIM" permission.',
  },
  API_NOT_FOUND: {
    title: 'The Cortex API URL or route is wrong',
    cause:
      'The API answered 404 or 405 on a route Cortex serves: the base URL points at the wrong host or path (the web app instead of the API, a path prefix too many).',
    advice:
      'Use the API base URL, e.g. https://api.getcortexapp.com (not app.getcortexapp.com, no /api/v1): --api-url, CORTEX_BASE_URL or base_url in ~/.cortex/config.',
  },
  API_BAD_ANSWER: {
    title: 'The Cortex API answered with something that is not its JSON',
    cause:
      "An HTML page, a redirect, truncated JSON or JSON of another shape: the URL reaches a web page, a proxy or login portal, or another service, not Cortex's API.",
    advice:
      'Check the API URL (--api-url, CORTEX_BASE_URL, the profile, ~/.cortex/config) and any proxy between here and Cortex.',
  },
  API_CONFLICT: {
    title: 'Cortex refused the change as a conflict',
    cause: 'HTTP 409: the change conflicts with the current SSO configuration.',
    advice: 'Run `cortex-sso connector show` to see what Cortex holds now, then run the command again.',
  },
  API_BAD_REQUEST: {
    title: 'Cortex refused the values',
    cause: 'HTTP 400 with the fields Cortex found invalid (its violations).',
    advice:
      'Fix the fields Cortex names in the detail (usually the issuer or the client ID as copied from Okta) and run the command again; nothing was changed.',
  },
  API_RATE_LIMITED: {
    title: 'The Cortex API rate limit was hit',
    cause: 'HTTP 429 after every retry (the client waits as Retry-After says, within its budget).',
    advice: 'Wait a minute and try again; spread out CI jobs that call the API.',
  },
  API_UNAVAILABLE: {
    title: 'The Cortex API is not reachable',
    cause: 'Network failure, timeout or 5xx after retries.',
    advice:
      'Check the API URL and the network (proxy: HTTPS_PROXY / NO_PROXY); the message says whether anything may have changed in Cortex.',
  },
  API_ERROR: {
    title: 'The Cortex API returned an unexpected status',
    cause: 'An HTTP status the client does not expect from this route.',
    advice: 'Quote the requestId in the message to Cortex support.',
  },
  CONNECTOR_CHANGED: {
    title: 'The SSO configurations changed while the command ran',
    cause:
      'The list read just before writing differs from the one read when the command started: another admin or job changed the connector meanwhile. Cortex has no ETags, so cortex-sso compares the lists itself.',
    advice:
      'Run `cortex-sso connector show` to see the change, then run the command again; --force writes anyway.',
  },
  CONNECTOR_NOT_FOUND: {
    title: 'Cortex holds no connection for this profile',
    cause:
      "No OIDC connection in Cortex has the profile's client ID and issuer (or its connection id): it was deleted or changed in Cortex, or the profile never pushed one.",
    advice:
      'Run `cortex-sso connector show` to see what Cortex holds; `connector set` creates it again, `connector delete --connection-id ID` removes a specific one.',
  },
  CONNECTOR_NOT_CONFIRMED: {
    title: 'Cortex accepted the new connection but does not list it',
    cause:
      'After the POST, the list holds no connection with the values sent, so the old connection was kept and nothing local changed.',
    advice:
      'Run `cortex-sso connector show`; if the new connection is missing, run `connector set` again; report the requestId to Cortex support if it persists.',
  },
  CONNECTOR_BOTH_KEPT: {
    title: 'Cortex now holds both the new and the old connection',
    cause:
      'The new connection was created, but the old one could not be deleted (or the POST failed after it may have applied). Nothing local changed.',
    advice:
      'Check sign-in with the new connection, then remove the old one: `cortex-sso connector delete --connection-id OLD_ID --yes` (the message names it).',
  },
  CONNECTOR_DRIFT: {
    title: 'The profile and Cortex disagree',
    cause:
      'The connection the profile pushed differs from what Cortex holds, is gone, or Cortex holds several OIDC connections (someone changed it in the UI, or a push failed half-way).',
    advice:
      "Run `cortex-sso connector set` to push the profile's values, or `connector delete --connection-id ID` for an extra connection.",
  },
  KEYCHAIN_UNAVAILABLE: {
    title: 'No OS keychain is available',
    cause:
      'The keychain service could not be reached (no Secret Service / D-Bus session on Linux, no login keychain).',
    advice:
      'Start or unlock the keychain (on Linux: gnome-keyring or KeePassXC with Secret Service in a D-Bus session); in CI pass CORTEX_SSO_CLIENT_SECRET and CORTEX_API_KEY in the environment (or `connector set --no-store`).',
  },
  KEYCHAIN_LOCKED: {
    title: 'The OS keychain is locked',
    cause: 'The keychain exists but is locked, and unlocking needs a prompt that could not be shown.',
    advice:
      'Unlock the keychain (log in to the desktop session, or `gnome-keyring-daemon --unlock` on Linux) and try again.',
  },
  KEYCHAIN_TIMEOUT: {
    title: 'The OS keychain did not answer',
    cause: 'A keychain call did not return within the timeout, usually because it waits on an unlock prompt.',
    advice: 'Unlock the keychain and try again; in CI use CORTEX_SSO_CLIENT_SECRET and CORTEX_API_KEY.',
  },
  SECRET_NOT_FOUND: {
    title: 'No secret is stored for this profile',
    cause: 'The keychain holds no entry for this profile.',
    advice: 'Run `cortex-sso connector set` (or `auth login --with-token` for the API token).',
  },
  CONFIG_INVALID: {
    title: 'The configuration file cannot be read',
    cause: 'The file is not valid JSON or has unexpected content.',
    advice:
      'Fix or remove the file named in the message (it holds no secrets); CORTEX_SSO_CONFIG_DIR moves it.',
  },
  CHECK_TIMEOUT: {
    title: 'The check did not finish in time',
    cause: 'A check exceeded its overall time budget (a safety net above the per-step --timeout).',
    advice: 'Raise --timeout if the network is slow; otherwise report it with --verbose output.',
  },
  INTERNAL: {
    title: 'Unexpected error',
    cause: 'A bug in cortex-sso.',
    advice: 'Re-run with --verbose and report it with the output (secrets are masked).',
  },
  // ── okta audit: the Okta app and authorization server, read with a read-only API token ──
  OKTA_TOKEN_INVALID: {
    title: 'Okta refused the API token',
    cause:
      'Okta answered 401 E0000011 "Invalid token provided": the token is mistyped, revoked, expired (unused for 30 days) or from another org.',
    advice:
      'Create a token in the Okta admin console (Security > API > Tokens) in the org of the issuer, signed in as a read-only administrator, and store it with `cortex-sso auth login --okta` or OKTA_API_TOKEN.',
  },
  OKTA_FORBIDDEN: {
    title: 'The API token may not read this',
    cause:
      'Okta answered 403 E0000006 "You do not have permission to perform the requested action": the admin who created the token has no role that can read apps or authorization servers.',
    advice:
      'Create the token as an admin with the Read-Only Administrator role (READ_ONLY_ADMIN; Security > Administrators), which can read apps, assignments and authorization servers and change nothing.',
  },
  OKTA_APP_NOT_FOUND: {
    title: 'Okta has no app with this client ID',
    cause:
      'Okta answered 404 E0000007 "Not found: Resource not found: … (AppInstance)": the client ID is wrong, or the token belongs to another Okta org than the issuer.',
    advice:
      "Copy the client ID from the app's General tab (Applications > Applications > your app > Client Credentials), and make sure the issuer and the API token are from the same Okta org.",
  },
  OKTA_RATE_LIMITED: {
    title: 'Okta rate-limited the audit',
    cause:
      'Okta answered 429 E0000047 "API call exceeded rate limit due to too many requests." and the limit resets later than the audit waits.',
    advice:
      'Run the audit again after the reset time shown; other scripts using the same token share its limit.',
  },
  OKTA_API_UNCHECKED: {
    title: "Okta's management API could not be read",
    cause:
      'The request got no usable answer: a network or TLS failure, a timeout, a redirect (never followed), a server error or a body that is not what the API documents.',
    advice:
      'Run `cortex-sso diagnose` for the issuer to find the network layer that fails; otherwise try again later.',
  },
  OKTA_APP_INACTIVE: {
    title: 'The Okta app is not active',
    cause: "The app's status is not ACTIVE: Okta refuses every sign-in to a deactivated app.",
    advice:
      'Activate it: Okta admin console > Applications > Applications > your app > the status menu next to its name > Activate.',
  },
  OKTA_APP_NOT_OIDC: {
    title: 'The Okta app is not an OpenID Connect web app',
    cause:
      "The app's sign-on method is not OIDC (signOnMode OPENID_CONNECT) or its application type is not Web (application_type web): Cortex needs a confidential web client.",
    advice:
      'Create a new app integration in Okta: Applications > Applications > Create App Integration > OIDC - OpenID Connect > Web Application; the type cannot be changed on an existing app.',
  },
  OKTA_GRANT_MISSING: {
    title: 'The app does not allow the Authorization Code grant',
    cause:
      'settings.oauthClient.grant_types lacks authorization_code: Okta refuses the sign-in Cortex starts.',
    advice:
      'Okta admin console > Applications > your app > General > General Settings > Edit > Grant type: tick Authorization Code, then Save.',
  },
  OKTA_REDIRECT_URI_MISSING: {
    title: "Cortex's redirect URI is not registered on the app",
    cause:
      "settings.oauthClient.redirect_uris does not hold Cortex's callback exactly (scheme, host, path, trailing slash and case all count).",
    advice:
      'Okta admin console > Applications > your app > General > General Settings > Edit > Sign-in redirect URIs: add https://cortexapp.auth0.com/login/callback (or the --redirect-uri shown), then Save.',
  },
  OKTA_AUTH_METHOD_POST: {
    title: 'The app expects the client secret in the request body',
    cause:
      'credentials.oauthClient.token_endpoint_auth_method is client_secret_post; Cortex sends the secret with HTTP Basic (client_secret_basic).',
    advice:
      'Okta admin console > Applications > your app > General > Client Credentials > Edit > Client authentication: Client secret, and choose "Client secret basic" where the console offers the choice; otherwise test a sign-in before relying on it.',
  },
  OKTA_AUTH_METHOD_UNSUPPORTED: {
    title: 'The app does not authenticate with a client secret',
    cause:
      'credentials.oauthClient.token_endpoint_auth_method is none, private_key_jwt or client_secret_jwt: Cortex only sends a client ID and secret (client_secret_basic).',
    advice:
      'Okta admin console > Applications > your app > General > Client Credentials > Edit > Client authentication: Client secret; copy the new secret into the connector.',
  },
  OKTA_INITIATE_LOGIN_URI: {
    title: 'Auto sign-on points somewhere else than Cortex',
    cause:
      "settings.oauthClient.initiate_login_uri is set but is not Cortex's (https://cortexapp.auth0.com/login/callback): the Okta dashboard tile opens another page.",
    advice:
      "Okta admin console > Applications > your app > General > General Settings > Edit > Initiate login URI: https://cortexapp.auth0.com/login/callback (Cortex's Okta guide), or clear it if you do not use the tile.",
  },
  OKTA_NO_ASSIGNMENTS: {
    title: 'Nobody is assigned to the Okta app',
    cause:
      'The app has no assigned user and no assigned group: Okta refuses every sign-in with "User is not assigned to the client application."',
    advice:
      'Okta admin console > Applications > your app > Assignments > Assign > Assign to Groups (or People): assign at least the people who will sign in to Cortex, before saving the connector.',
  },
  OKTA_NO_MATCHING_POLICY: {
    title: 'No access policy of the authorization server admits the app',
    cause:
      'On a custom authorization server, no ACTIVE access policy includes this client (or All clients): every sign-in ends in no_matching_policy ("Policy evaluation failed for this request, please check the policy configurations.").',
    advice:
      'Okta admin console > Security > API > Authorization Servers > your server > Access Policies > Add Policy (or edit one): Assign to "The following clients" with this app (or All clients), make it Active, and add a rule that allows Authorization Code.',
  },
  OKTA_POLICY_RULE_NO_GRANT: {
    title: 'No active policy rule allows the Authorization Code grant for the app',
    cause:
      'An active access policy admits the client, but none of its ACTIVE rules includes authorization_code in its grant types: sign-in ends in no_matching_policy.',
    advice:
      'Okta admin console > Security > API > Authorization Servers > your server > Access Policies > the policy naming the app > its rule > Edit > IF Grant type is: tick Authorization Code (and make the rule Active).',
  },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;

export function codeInfo(code: Code): CodeInfo {
  return CODES[code];
}

/** Link to a code's entry in docs/codes.md (GitHub keeps underscores in heading anchors). */
export function docsAnchor(code: Code): string {
  return `docs/codes.md#${code.toLowerCase()}`;
}
