import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  describeError,
  htmlText,
  isOAuthErrorName,
  namesFeatureNotEnabled,
  namesRedirectUri,
  namesUnknownClient,
  parseErrorBody,
  parseErrorResponse,
  parseHtmlError,
  parseJsonError,
  parseRedirectError,
  parseWwwAuthenticate,
  retryAt,
  retryHint,
} from '../../src/okta/oauth-errors.js';

const OKTA_REDIRECT_PAGE = `<!DOCTYPE html><html><head><title>acme - Error</title>
<script>var cfg = { error: 'invalid_client', redirect_uri: 'x' };</script><style>.x{}</style></head>
<body><div class="content"><h2>400 Bad Request</h2>
<p>Identity Provider: Unknown</p>
<p>Error Code: <span class="error-code">invalid_request</span></p>
<p id="error-description">Description: The &#x27;redirect_uri&#x27; parameter must be a Login redirect URI in the client app settings: https://acme-admin.okta.com/admin/app/oidc_client/instance/0oa1#tab-general</p>
</div><a href="/">Go back</a></body></html>`;

describe('JSON bodies', () => {
  it('reads RFC 6749 errors', () => {
    expect(
      parseJsonError('{"error":"invalid_client","error_description":"client authentication failed"}'),
    ).toEqual({
      error: 'invalid_client',
      description: 'client authentication failed',
      source: 'json',
    });
  });

  it("reads Okta's errorCode form with its errorId and causes", () => {
    const e = parseJsonError(
      JSON.stringify({
        errorCode: 'invalid_client',
        errorSummary: "Invalid value for 'client_id' parameter.",
        errorLink: 'invalid_client',
        errorId: 'oaeAbC123',
        errorCauses: [{ errorSummary: 'more detail' }],
      }),
    );
    expect(e).toEqual({
      error: 'invalid_client',
      description: "Invalid value for 'client_id' parameter. more detail",
      source: 'okta',
      errorId: 'oaeAbC123',
    });
    expect(e && namesUnknownClient(e)).toBe(true);
  });

  it('ignores JSON that is not an error', () => {
    expect(parseJsonError('{"access_token":"x"}')).toBeUndefined();
    expect(parseJsonError('[1]')).toBeUndefined();
    expect(parseJsonError('not json')).toBeUndefined();
  });
});

describe('WWW-Authenticate', () => {
  it('reads error and a quoted description containing commas and escaped quotes', () => {
    expect(
      parseWwwAuthenticate(
        'Basic realm="https://x/oauth2", error="invalid_client", error_description="bad, \\"very\\" bad"',
      ),
    ).toEqual({ error: 'invalid_client', description: 'bad, "very" bad', source: 'www-authenticate' });
  });

  it('takes the first challenge that has an error, and unquoted tokens', () => {
    expect(parseWwwAuthenticate(['Basic realm="okta"', 'Bearer error=invalid_token'])?.error).toBe(
      'invalid_token',
    );
    expect(parseWwwAuthenticate('Basic realm="okta"')).toBeUndefined();
    expect(parseWwwAuthenticate(undefined)).toBeUndefined();
  });

  it('is used when the body is empty, and fills in a missing body description', () => {
    const challenge = 'Basic realm="r", error="invalid_client", error_description="wrong secret"';
    expect(parseErrorResponse({ headers: { 'www-authenticate': challenge }, body: Buffer.alloc(0) })).toEqual(
      {
        error: 'invalid_client',
        description: 'wrong secret',
        source: 'www-authenticate',
      },
    );
    expect(
      parseErrorResponse({
        headers: { 'WWW-Authenticate': challenge, 'content-type': 'application/json' },
        body: '{"error":"invalid_client"}',
      }),
    ).toEqual({ error: 'invalid_client', description: 'wrong secret', source: 'json' });
  });
});

describe('HTML pages', () => {
  it("reads Okta's error page: code, description with entities, no script text", () => {
    const e = parseHtmlError(OKTA_REDIRECT_PAGE);
    expect(e).toEqual({
      error: 'invalid_request',
      description:
        "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings: https://acme-admin.okta.com/admin/app/oidc_client/instance/0oa1#tab-general",
      source: 'html',
    });
    expect(e && namesRedirectUri(e)).toBe(true);
    expect(e && namesUnknownClient(e)).toBe(false);
    expect(htmlText(OKTA_REDIRECT_PAGE)).not.toContain('cfg');
  });

  it("reads oidc-provider's page: the error name, then the next line", () => {
    const e = parseErrorBody(
      "<!DOCTYPE html><html><head><title>Error</title></head><body><h1>invalid_redirect_uri</h1><p>redirect_uri did not match any of the client's registered redirect_uris</p></body></html>",
      { 'content-type': 'text/html; charset=utf-8' },
    );
    expect(e?.error).toBe('invalid_redirect_uri');
    expect(e?.description).toBe("redirect_uri did not match any of the client's registered redirect_uris");
    expect(e && namesRedirectUri(e)).toBe(true);
  });

  const fixture = (f: string) => readFileSync(new URL(`../fixtures/okta/${f}`, import.meta.url), 'utf8');
  const HTML = { 'content-type': 'text/html;charset=utf-8' };

  it("reads the fixture of Okta's page: label and value in separate elements, entities decoded", () => {
    const page = fixture('authorize-redirect-uri-not-registered.html').replace(
      '{{settingsUrl}}',
      'https://dev-123-admin.okta.com/admin/app/oidc_client/instance/0oa1#tab-general',
    );
    expect(parseErrorBody(page, HTML)).toEqual({
      error: 'invalid_request',
      description:
        "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings: https://dev-123-admin.okta.com/admin/app/oidc_client/instance/0oa1#tab-general",
      source: 'html',
    });
    expect(parseErrorBody(fixture('authorize-unknown-client.html'), HTML)).toMatchObject({
      error: 'invalid_client',
      description: "Invalid value for 'client_id' parameter.",
    });
  });

  it.each([
    [
      'label and value in separate blocks',
      '<div><div class="k">Error Code:</div><div class="v">invalid_request</div></div><div>Description:</div><div>The redirect_uri is wrong.</div>',
    ],
    [
      'nested spans, no colon, a definition list',
      '<dl><dt>Error <span>Code</span></dt><dd><span><b>invalid_request</b></span></dd><dt>Description</dt><dd><p>The redirect_uri is <em>wrong</em>.</p></dd></dl>',
    ],
    [
      'entities in the label, the value and the description',
      '<p>Error&nbsp;Code&#58;</p><p>&#x69;nvalid_request</p><section><p>Description&#x3a; The redirect&#95;uri is wrong&#46;</p></section>',
    ],
    [
      'the description in another element, far from the code',
      '<table><tr><th>Error Code:</th><td>invalid_request</td></tr></table><footer><h3>Description:</h3><blockquote>The redirect_uri is wrong.</blockquote></footer>',
    ],
  ])('reads an error page whatever its markup: %s', (_, body) => {
    const e = parseErrorBody(`<!DOCTYPE html><html><body>${body}</body></html>`, HTML);
    expect(e).toEqual({
      error: 'invalid_request',
      description: 'The redirect_uri is wrong.',
      source: 'html',
    });
  });

  it('does not take a prose "error code" for a label', () => {
    const e = parseHtmlError('<p>Error code below tells why.</p><p>Something went wrong.</p>');
    expect(e).toBeUndefined();
  });

  it('escapes control characters, so a page cannot repaint the terminal or forge a line', () => {
    const e = parseHtmlError(
      '<p>Error Code: invalid_request</p><p>Description: bad&#x1b;[2J&#x1b;[1A ✔ accepted&#x202e;x</p>',
    );
    expect(e?.description).toBe('bad\\x1b[2J\\x1b[1A ✔ accepted\\u202ex');
    const j = parseJsonError(
      JSON.stringify({ error: 'invalid_client\u001b[31m', error_description: 'a\r\nFAKE LINE\u0007' }),
    );
    expect(j?.error).toBe('invalid_client\\x1b[31m');
    expect(j?.description).toBe('a FAKE LINE\\x07');
    expect(JSON.stringify(j)).not.toMatch(/\\u001b|\\u0007/);
  });

  it('finds nothing in a page without an OAuth error', () => {
    expect(
      parseHtmlError('<html><body><h1>Welcome</h1><script>var e="invalid_client"</script></body></html>'),
    ).toBeUndefined();
  });
});

describe('classification', () => {
  it("does not take Okta's wrong-secret text for an unknown client", () => {
    const e = {
      error: 'invalid_client',
      description: 'The client secret supplied for a confidential client is invalid.',
      source: 'json' as const,
    };
    expect(namesUnknownClient(e)).toBe(false);
    expect(
      namesUnknownClient({ error: 'invalid_client', description: 'client is invalid', source: 'html' }),
    ).toBe(true);
    expect(
      namesUnknownClient({
        error: 'invalid_request',
        description: "Invalid value for 'client_id'",
        source: 'json',
      }),
    ).toBe(false);
  });

  it('tells OAuth names from Okta E-codes', () => {
    expect(isOAuthErrorName('unauthorized_client')).toBe(true);
    expect(isOAuthErrorName('E0000047')).toBe(false);
  });

  it('formats an error for a detail line', () => {
    expect(describeError({ error: 'invalid_scope', source: 'json' })).toBe('invalid_scope');
    expect(describeError({ error: 'x', description: 'y', source: 'json' })).toBe('x (y)');
  });
});

describe("Okta's 'feature not enabled' answers (no API Access Management)", () => {
  const fixture = (f: string) => readFileSync(new URL(`../fixtures/okta/${f}`, import.meta.url), 'utf8');

  it('recognises the E0000015 JSON of a custom authorization server', () => {
    const res = {
      headers: { 'content-type': 'application/json' },
      body: fixture('feature-not-enabled-E0000015.json'),
    };
    const e = parseErrorResponse(res);
    expect(e?.error).toBe('E0000015');
    expect(namesFeatureNotEnabled(e, res)).toBe(true);
  });

  it("recognises the authorize page's sentence, whatever the page's error code", () => {
    const page = fixture('authorize-feature-not-enabled.html');
    const res = { headers: { 'content-type': 'text/html' }, body: page };
    expect(namesFeatureNotEnabled(parseErrorResponse(res), res)).toBe(true);
    const bare = {
      headers: { 'content-type': 'text/html' },
      body: '<p>The requested feature is <b>not enabled</b> in this environment.</p>',
    };
    expect(namesFeatureNotEnabled(parseErrorResponse(bare), bare)).toBe(true);
  });

  it('does not take other Okta errors for it', () => {
    const res = { headers: {}, body: fixture('rate-limit-E0000047.json') };
    expect(namesFeatureNotEnabled(parseErrorResponse(res), res)).toBe(false);
    const page = fixture('authorize-unknown-client.html');
    const r2 = { headers: { 'content-type': 'text/html' }, body: page };
    expect(namesFeatureNotEnabled(parseErrorResponse(r2), r2)).toBe(false);
  });
});

describe('redirects back to the client', () => {
  it('reads error from the query or the fragment', () => {
    expect(
      parseRedirectError(
        new URL('https://cb.example/cb?state=s&error=access_denied&error_description=Policy+failed'),
      ),
    ).toEqual({ error: 'access_denied', description: 'Policy failed', source: 'redirect' });
    expect(
      parseRedirectError(new URL('https://cb.example/cb#error=unsupported_response_type&state=s'))?.error,
    ).toBe('unsupported_response_type');
    expect(parseRedirectError(new URL('https://cb.example/cb?code=abc&state=s'))).toBeUndefined();
  });
});

describe('rate-limit retry time', () => {
  const now = new Date('2026-11-29T10:00:00.500Z');

  it("uses Okta's X-Rate-Limit-Reset (epoch seconds)", () => {
    const reset = String(Date.parse('2026-11-29T10:01:00Z') / 1000);
    expect(retryAt({ 'x-rate-limit-reset': reset }, now)?.toISOString()).toBe('2026-11-29T10:01:00.000Z');
    expect(retryHint({ 'x-rate-limit-reset': reset }, now)).toBe(
      'retry after 2026-11-29T10:01:00Z (in 60 s)',
    );
  });

  it('falls back to Retry-After in seconds or as a date, and to a generic hint', () => {
    expect(retryAt({ 'retry-after': '5' }, now)?.toISOString()).toBe('2026-11-29T10:00:05.500Z');
    expect(retryAt({ 'retry-after': 'Sun, 29 Nov 2026 10:02:00 GMT' }, now)?.toISOString()).toBe(
      '2026-11-29T10:02:00.000Z',
    );
    expect(retryHint({}, now)).toMatch(/retry in a minute/);
  });

  it('never answers a time in the past', () => {
    expect(retryAt({ 'x-rate-limit-reset': '1000' }, now)?.getTime()).toBe(now.getTime());
  });
});

// Found by test/property/oauth-errors.property.test.ts: text was cut to 300 characters and then
// escaped, so control characters made a description (or an error name) several times longer.
describe('escaped text stays within its bound', () => {
  it('cuts a description after escaping, never inside an escape', () => {
    const body = JSON.stringify({ error: 'invalid_request', error_description: '\u0000'.repeat(400) });
    const d = parseJsonError(body)?.description ?? '';
    expect(d.length).toBeLessThanOrEqual(300);
    expect(d).toMatch(/^(\\x00)+…$/);
    const bidi = parseJsonError(
      JSON.stringify({ error: 'invalid_request', error_description: `ab${'\u202e'.repeat(100)}` }),
    );
    expect(bidi?.description).toMatch(/^ab(\\u202e)+…$/);
    expect(bidi?.description?.length).toBeLessThanOrEqual(300);
  });

  it('cuts an error name to 80 characters after escaping', () => {
    const e = parseJsonError(JSON.stringify({ errorCode: `E${'\u001b'.repeat(100)}` }));
    expect(e?.error.length).toBeLessThanOrEqual(80);
    expect(e?.error).toMatch(/^E(\\x1b)+…$/);
  });
});
