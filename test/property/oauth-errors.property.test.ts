// Issue 8 item 5, "hostile input keeps its promises": the readers of Okta/OAuth error answers over
// arbitrary strings, bytes and headers, and generated Okta-style error pages.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type HeaderMap,
  htmlText,
  KNOWN_OAUTH_ERRORS,
  type OAuthError,
  parseErrorResponse,
  parseHtmlError,
  parseJsonError,
  parseWwwAuthenticate,
} from '../../src/okta/oauth-errors.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202e]/;
/** oauth-errors.ts: descriptions are clipped to 300 characters, error names and ids to 80. */
const MAX_DESCRIPTION = 300;
const MAX_NAME = 80;
const SOURCES = ['json', 'okta', 'www-authenticate', 'html', 'redirect'];

// ── hostile input ────────────────────────────────────────────────────────────
const nasty = fc.constantFrom(
  '\u0000',
  '\u0007',
  '\u001b[2J',
  '\r\n',
  '\u0085',
  '\u202e',
  '\u2028',
  '&#27;',
  '&#x1b;',
  '&#0;',
  '&#x110000;',
  '&#133;',
  '&nbsp;',
  '<br>',
  '<script>',
  '"',
  '\\',
  '\\"',
);
const text = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.string({ maxLength: 16 }) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
      { weight: 2, arbitrary: nasty },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...KNOWN_OAUTH_ERRORS, 'E0000015', 'Error Code:', 'Description:'),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 400 }) },
    ),
    { maxLength: 8 },
  )
  .map((a) => a.join(''));

const jsonErrorText = fc
  .oneof(
    fc.record(
      {
        error: fc.oneof(text, fc.jsonValue({ maxDepth: 1 })),
        error_description: fc.oneof(text, fc.jsonValue({ maxDepth: 1 })),
      },
      { requiredKeys: [] },
    ),
    fc.record(
      {
        errorCode: fc.oneof(text, fc.jsonValue({ maxDepth: 1 })),
        errorSummary: fc.oneof(text, fc.jsonValue({ maxDepth: 1 })),
        errorId: fc.oneof(text, fc.jsonValue({ maxDepth: 1 })),
        errorCauses: fc.oneof(
          fc.array(fc.record({ errorSummary: fc.oneof(text, fc.jsonValue({ maxDepth: 1 })) }), {
            maxLength: 4,
          }),
          fc.jsonValue({ maxDepth: 2 }),
        ),
      },
      { requiredKeys: [] },
    ),
    fc.jsonValue({ maxDepth: 3 }),
  )
  .map((v) => JSON.stringify(v) ?? 'null');

const htmlPage = fc
  .array(
    fc.oneof(
      text,
      fc.constantFrom(
        '<p>',
        '</p>',
        '<div class="x">',
        '</div>',
        '<span>',
        '</span>',
        '<!--',
        '-->',
        '<style>',
        '</style>',
      ),
      fc.constantFrom('<h1>Error Code:</h1>', '<td>invalid_client</td>', '<b>Description</b>'),
    ),
    { maxLength: 12 },
  )
  .map((a) => a.join(''));

const anyBody = fc.oneof(
  text,
  jsonErrorText,
  htmlPage,
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
);

const headerValue = fc.oneof(
  fc.constant(undefined),
  text,
  fc.array(text, { maxLength: 3 }),
  fc
    .record({ scheme: fc.constantFrom('Bearer', 'Basic', 'DPoP', ''), error: text, description: text })
    .map(
      (c) =>
        `${c.scheme} realm="x", error="${c.error.replace(/["\\]/g, '\\$&')}", error_description="${c.description.replace(/["\\]/g, '\\$&')}"`,
    ),
);
const headers: fc.Arbitrary<HeaderMap> = fc.dictionary(
  fc.oneof(
    fc.constantFrom('content-type', 'Content-Type', 'www-authenticate', 'WWW-Authenticate'),
    fc.string(),
  ),
  headerValue,
  { maxKeys: 4 },
);
const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'text/html; charset=utf-8',
  'text/plain',
  'application/problem+json',
);

// ── the promises ─────────────────────────────────────────────────────────────
function assertClean(e: OAuthError | undefined): void {
  if (e === undefined) return;
  expect(SOURCES).toContain(e.source);
  expect(typeof e.error).toBe('string');
  expect(e.error.length).toBeGreaterThan(0);
  expect(e.error).not.toMatch(CONTROL);
  expect(e.error.length, e.error).toBeLessThanOrEqual(MAX_NAME);
  if (e.description !== undefined) {
    expect(typeof e.description).toBe('string');
    expect(e.description.length).toBeGreaterThan(0);
    expect(e.description).not.toMatch(CONTROL);
    expect(e.description.length, e.description).toBeLessThanOrEqual(MAX_DESCRIPTION);
  }
  if (e.errorId !== undefined) {
    expect(e.errorId).not.toMatch(CONTROL);
    expect(e.errorId.length).toBeLessThanOrEqual(MAX_NAME);
  }
}

describe('the OAuth/Okta error readers keep their promises on hostile answers', () => {
  it('parseErrorResponse never throws; error and description are clean and bounded', () => {
    fc.assert(
      fc.property(anyBody, headers, contentType, (body, h, ct) => {
        const all: HeaderMap = ct === undefined ? h : { ...h, 'content-type': ct };
        assertClean(parseErrorResponse({ headers: all, body }));
      }),
      { numRuns: 3000 },
    );
  });

  it('parseJsonError, parseHtmlError and parseWwwAuthenticate never throw and answer clean errors', () => {
    fc.assert(
      fc.property(fc.oneof(text, jsonErrorText, htmlPage), headerValue, (s, h) => {
        assertClean(parseJsonError(s));
        assertClean(parseHtmlError(s));
        assertClean(parseWwwAuthenticate(h));
        assertClean(parseWwwAuthenticate(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('htmlText never throws and answers trimmed, non-empty lines without markup of the page', () => {
    fc.assert(
      fc.property(fc.oneof(htmlPage, text), (html) => {
        const t = htmlText(html);
        expect(typeof t).toBe('string');
        if (t === '') return;
        for (const line of t.split('\n')) {
          expect(line.length).toBeGreaterThan(0);
          expect(line).toBe(line.trim());
          expect(line).not.toMatch(/\s{2}/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('an Okta-style page with "Error Code" and its value in separate elements yields that code', () => {
    const code = fc.oneof(
      fc.constantFrom(...KNOWN_OAUTH_ERRORS),
      fc.stringMatching(/^E\d{7}$/),
      fc.stringMatching(/^[a-z][a-z0-9]{0,8}(?:_[a-z0-9]{1,8}){1,3}$/),
    );
    const ws = fc.constantFrom('', ' ', '\n', '\n    ', '\t', '\r\n  ', '&nbsp;');
    const attrs = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            ' class="o-form-explain"',
            " id='error-code'",
            ' data-se="error-code"',
            ' hidden',
            ' style="color: red"',
          ),
          fc.stringMatching(/^ [a-z-]{1,8}="[^"<>]{0,12}"$/),
        ),
        { maxLength: 3 },
      )
      .map((a) => a.join(''));
    const tag = fc.constantFrom(
      'div',
      'span',
      'p',
      'td',
      'th',
      'h2',
      'strong',
      'b',
      'em',
      'label',
      'dt',
      'dd',
      'li',
    );
    const wrap = (inner: fc.Arbitrary<string>) =>
      fc
        .tuple(fc.array(fc.tuple(tag, attrs), { minLength: 1, maxLength: 3 }), inner, ws, ws)
        .map(([tags, s, a, b]) => tags.reduceRight((acc, [t, at]) => `<${t}${at}>${a}${acc}${b}</${t}>`, s));
    const label = fc.constantFrom(
      'Error Code:',
      'Error Code',
      'error code:',
      'ERROR CODE:',
      'Error&nbsp;Code:',
      'Error&#32;Code:',
      'Error code :',
      'Error-Code:',
    );
    const entityEncode = (s: string) => s.replace(/_/g, '&#95;').replace(/^E/, '&#x45;');
    const page = fc
      .record({
        code,
        encode: fc.boolean(),
        decoy: fc.constantFrom(
          '',
          '<script>var e = "Error Code: not_this_one";</script>',
          '<!-- Error Code: commented_out -->',
          '<title>Okta</title>',
        ),
        label: wrap(label),
        gap: ws,
        tags: fc.array(fc.tuple(tag, attrs), { minLength: 1, maxLength: 3 }),
        inner: fc.tuple(ws, ws),
        description: fc.option(
          fc.tuple(wrap(fc.constantFrom('Description:', 'Error description')), fc.string({ maxLength: 40 })),
          { nil: undefined },
        ),
      })
      .map((p) => {
        const value = p.encode ? entityEncode(p.code) : p.code;
        const valueHtml = p.tags.reduceRight(
          (acc, [t, at]) => `<${t}${at}>${p.inner[0]}${acc}${p.inner[1]}</${t}>`,
          value,
        );
        // As on Okta's page, each label-value pair sits in its own block: the visible text of two
        // inline elements side by side runs together ("invalid_requestDescription") in a browser too.
        const desc = p.description
          ? `<div class="detail">${p.description[0]}<span>${p.description[1].replace(/[<>&]/g, ' ')}</span></div>`
          : '';
        const pair = `<div class="detail">${p.label}${p.gap}${valueHtml}</div>`;
        return { code: p.code, html: `<html><body>${p.decoy}${pair}${desc}</body></html>` };
      });
    fc.assert(
      fc.property(page, ({ code: c, html }) => {
        const fromHtml = parseHtmlError(html);
        expect(fromHtml?.error, html).toBe(c);
        expect(fromHtml?.source).toBe('html');
        assertClean(fromHtml);
        const res = parseErrorResponse({
          headers: { 'content-type': 'text/html; charset=utf-8' },
          body: html,
        });
        expect(res?.error, html).toBe(c);
      }),
      { numRuns: 2000 },
    );
  });
});
