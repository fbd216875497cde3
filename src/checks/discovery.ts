import type { Code } from '../codes.js';
import { mapNetError } from '../net/errors.js';
import { headerValue, httpGet, isHttpTimeout, snippet } from '../net/http.js';
import { isLoopbackHost, type ParsedIssuer } from '../okta/issuer.js';
import { apiAccessManagementProblem } from './probe.js';
import { routeFor } from './route.js';
import type { Check, CheckContext, CheckOutcome, DiscoveryDocument } from './types.js';

export const MAX_DOCUMENT_BYTES = 1024 * 1024;
const WELL_KNOWN = '/.well-known/openid-configuration';

/** Document fields holding URLs the client calls (checked for https). */
function endpointFields(doc: DiscoveryDocument): string[] {
  return Object.keys(doc).filter(
    (k) => k.endsWith('_endpoint') || k === 'jwks_uri' || k === 'check_session_iframe',
  );
}

/** The issuer a discovery URL belongs to, or undefined when it is not one. */
export function issuerOfDiscoveryUrl(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (!u.pathname.endsWith(WELL_KNOWN) || u.search || u.hash) return undefined;
    u.pathname = u.pathname.slice(0, -WELL_KNOWN.length);
    return u.href.replace(/\/$/, '');
  } catch {
    return undefined;
  }
}

function fail(
  code: Code,
  title: string,
  detail: string,
  data: Record<string, unknown>,
  advice?: string,
): CheckOutcome {
  return { status: 'fail', code, title, detail, data, ...(advice ? { advice } : {}) };
}

interface Problem {
  code: Code;
  title: string;
  detail: string;
  advice?: string;
}

/** Judge a parsed document against the configured issuer. Does not judge grant types (Okta lists no client_credentials). */
export function judgeDocument(
  doc: DiscoveryDocument,
  issuer: ParsedIssuer,
  allowHttpLoopback: boolean,
): Problem[] {
  const problems: Problem[] = [];

  if (doc.issuer !== issuer.issuer) {
    const stated = typeof doc.issuer === 'string' ? doc.issuer : undefined;
    let detail: string;
    let advice: string | undefined;
    if (stated === undefined) {
      detail = `The document has no "issuer" string (configured issuer: ${issuer.issuer}).`;
    } else {
      const onlySlash = stated.replace(/\/+$/, '') === issuer.issuer.replace(/\/+$/, '');
      detail = `The document states issuer "${stated}" but the configured issuer is "${issuer.issuer}"${
        onlySlash ? ' (they differ only by a trailing slash)' : ''
      }.`;
      advice = `Configure the issuer as exactly ${stated} — character for character, ${
        stated.endsWith('/') ? 'including' : 'without'
      } the trailing slash; OpenID clients compare it exactly.`;
    }
    problems.push({
      code: 'DISCOVERY_ISSUER_MISMATCH',
      title: 'The discovery document names a different issuer',
      detail,
      ...(advice ? { advice } : {}),
    });
  }

  const missing: string[] = [];
  for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    const v = doc[field];
    if (typeof v !== 'string' || v === '') missing.push(`${field} is missing`);
    else if (!URL.canParse(v)) missing.push(`${field} is not a URL (${JSON.stringify(v).slice(0, 80)})`);
  }
  const rts = doc.response_types_supported;
  if (!Array.isArray(rts)) missing.push('response_types_supported is missing');
  else if (!rts.includes('code'))
    missing.push(`response_types_supported does not include "code" (has ${JSON.stringify(rts)})`);
  const algs = doc.id_token_signing_alg_values_supported;
  if (!Array.isArray(algs) || algs.length === 0 || !algs.every((a) => typeof a === 'string')) {
    missing.push('id_token_signing_alg_values_supported is missing or empty');
  }
  if (missing.length > 0) {
    problems.push({
      code: 'DISCOVERY_MISSING_FIELD',
      title: `The discovery document lacks ${missing.length === 1 ? 'a required field' : `${missing.length} required fields`}`,
      detail: missing.join('; '),
    });
  }

  const httpLoopbackOk = allowHttpLoopback && issuer.url.protocol === 'http:' && issuer.loopback;
  const insecure: string[] = [];
  for (const field of endpointFields(doc)) {
    const v = doc[field];
    if (typeof v !== 'string' || !URL.canParse(v)) continue;
    const u = new URL(v);
    if (u.protocol === 'https:') continue;
    if (u.protocol === 'http:' && httpLoopbackOk && isLoopbackHost(u.hostname)) continue;
    insecure.push(`${field} = ${v}`);
  }
  if (insecure.length > 0) {
    problems.push({
      code: 'DISCOVERY_INSECURE_ENDPOINT',
      title: `${insecure.length === 1 ? 'An endpoint' : `${insecure.length} endpoints`} in the discovery document ${insecure.length === 1 ? 'is' : 'are'} not https`,
      detail: insecure.join('; '),
    });
  }
  return problems;
}

export const check: Check = {
  id: 'discovery',
  needs: ['tls', 'certificate'],
  async run(target, ctx: CheckContext) {
    const url = target.issuer.discoveryUrl;
    const dispatcher = ctx.net.dispatcher(routeFor(new URL(url), target.issuer, target.facts, ctx.net));
    const data: Record<string, unknown> = { url };
    const sentAt = ctx.now();
    let res: Awaited<ReturnType<typeof httpGet>>;
    try {
      res = await httpGet(url, {
        dispatcher,
        timeoutMs: ctx.options.timeoutMs,
        maxBytes: MAX_DOCUMENT_BYTES,
        headers: { accept: 'application/json' },
      });
    } catch (err) {
      if (isHttpTimeout(err)) {
        return fail(
          'DISCOVERY_TIMEOUT',
          'The discovery request timed out',
          `GET ${url}: ${err.message}.`,
          data,
        );
      }
      const mapped = mapNetError(err, 'http');
      return fail(
        mapped.code,
        'The discovery document could not be fetched',
        `GET ${url}: ${mapped.detail}`,
        data,
      );
    }
    const receivedAt = ctx.now();
    data.status = res.status;
    data.durationMs = Math.round(res.durationMs);
    const date = headerValue(res.headers, 'date');
    if (date) {
      target.facts.serverDate = date;
      target.facts.serverDateSample = { date, sentAt, receivedAt };
    }
    const contentType = headerValue(res.headers, 'content-type') ?? '';
    if (contentType) data.contentType = contentType;

    if (res.status >= 300 && res.status < 400) {
      const location = headerValue(res.headers, 'location');
      if (!location) {
        return fail(
          'DISCOVERY_REDIRECT',
          'The discovery URL redirects',
          `GET ${url} answered HTTP ${res.status} without a Location header.`,
          data,
        );
      }
      const absolute = URL.canParse(location, url) ? new URL(location, url).href : location;
      data.location = absolute;
      const implied = issuerOfDiscoveryUrl(absolute);
      if (implied) data.impliedIssuer = implied;
      return fail(
        'DISCOVERY_REDIRECT',
        'The discovery URL redirects',
        `GET ${url} answered HTTP ${res.status} to ${absolute}. ${
          implied
            ? `That is the discovery URL of the issuer ${implied}.`
            : 'That is not a discovery URL: the issuer host serves something else at this path.'
        }`,
        data,
        implied
          ? `Configure the issuer as exactly ${implied}; OpenID clients do not follow redirects for discovery.`
          : undefined,
      );
    }
    if (res.status !== 200) {
      // Okta's 401 E0000015: a custom authorization server in an org without API Access Management.
      const noApiAm = apiAccessManagementProblem(res, target.issuer, `GET ${url}`);
      if (noApiAm) return fail(noApiAm.code, noApiAm.title, noApiAm.detail, data, noApiAm.advice);
      const body = snippet(res.body);
      return fail(
        'DISCOVERY_HTTP_ERROR',
        `The discovery document could not be fetched (HTTP ${res.status})`,
        `GET ${url} answered HTTP ${res.status}${body ? `: ${body}` : ''}.`,
        data,
        res.status === 404
          ? `No authorization server answers at ${target.issuer.issuer}. Check the issuer path: the org server is https://{org}.okta.com, a custom server https://{org}.okta.com/oauth2/{authServerId} (Security > API > Authorization Servers), and that server must be active.`
          : res.status >= 500
            ? 'The issuer answered with a server error: retry later; if it persists, check the provider status page or a proxy in between.'
            : undefined,
      );
    }
    if (res.truncated) {
      return fail(
        'DISCOVERY_TOO_LARGE',
        'The discovery document is too large',
        `GET ${url} sent more than ${MAX_DOCUMENT_BYTES} bytes (1 MiB); reading stopped there.`,
        data,
      );
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body.toString('utf8'));
    } catch {
      return fail(
        'DISCOVERY_NOT_JSON',
        'The discovery document is not JSON',
        `GET ${url} answered ${contentType || 'without a content type'}, not JSON: "${snippet(res.body)}"`,
        data,
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return fail(
        'DISCOVERY_NOT_JSON',
        'The discovery document is not a JSON object',
        `GET ${url} answered JSON that is not an object: "${snippet(res.body)}"`,
        data,
      );
    }
    const doc = parsed as DiscoveryDocument;
    target.facts.discovery = doc;

    const problems = judgeDocument(doc, target.issuer, ctx.options.allowHttpLoopback);
    const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    if (mediaType !== 'application/json' && !mediaType.endsWith('+json')) {
      problems.unshift({
        code: 'DISCOVERY_NOT_JSON',
        title: 'The discovery document is not served as JSON',
        detail: `The body parses as JSON but is served as ${contentType || 'no content type'}; OpenID clients require application/json and reject it.`,
        advice:
          'Something between this machine and the issuer (a proxy or gateway) rewrites the answer, or the URL is not an OpenID provider.',
      });
    }
    if (problems.length > 0) {
      const [first, ...rest] = problems as [Problem, ...Problem[]];
      const also = rest.map((p) => `Also ${p.code}: ${p.detail}`);
      data.codes = problems.map((p) => p.code);
      return {
        ...fail(first.code, first.title, [first.detail, ...also].join('\n'), data, first.advice),
        findings: problems.map((p) => ({
          code: p.code,
          status: 'fail' as const,
          message: p.detail,
          ...(p.advice ? { advice: p.advice } : {}),
        })),
      };
    }

    data.issuer = doc.issuer;
    for (const f of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri'] as const) {
      if (typeof doc[f] === 'string') data[f] = doc[f];
    }
    return {
      status: 'pass',
      title: 'The discovery document is valid',
      detail: `issuer ${String(doc.issuer)}; token endpoint ${String(doc.token_endpoint)}; keys at ${String(doc.jwks_uri)}`,
      data,
    };
  },
};
