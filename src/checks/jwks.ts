import { mapNetError } from '../net/errors.js';
import { headerValue, httpGet, isHttpTimeout, snippet } from '../net/http.js';
import { routeFor } from './route.js';
import type { Check, CheckContext, CheckOutcome } from './types.js';

export const MAX_JWKS_BYTES = 1024 * 1024;

const SIG_ALGS = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES256K',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
  'Ed448',
  'HS256',
  'HS384',
  'HS512',
]);
const ENC_ALGS = new Set([
  'RSA1_5',
  'RSA-OAEP',
  'RSA-OAEP-256',
  'RSA-OAEP-384',
  'RSA-OAEP-512',
  'ECDH-ES',
  'ECDH-ES+A128KW',
  'ECDH-ES+A192KW',
  'ECDH-ES+A256KW',
  'A128KW',
  'A192KW',
  'A256KW',
  'A128GCMKW',
  'A192GCMKW',
  'A256GCMKW',
  'dir',
]);
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/** Material members each key type needs. */
const MATERIAL: Record<string, string[]> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
  oct: [],
};

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

/** Problems of one JWK, as short phrases; empty when well-formed. */
export function keyProblems(key: unknown): string[] {
  if (key === null || typeof key !== 'object' || Array.isArray(key)) return ['is not a JSON object'];
  const k = key as Record<string, unknown>;
  const out: string[] = [];
  if (!nonEmptyString(k.kty)) out.push('has no kty');
  // Own members only: a kty of "__proto__" or "toString" must not reach Object.prototype.
  else if (!Object.hasOwn(MATERIAL, k.kty)) out.push(`has unknown kty "${k.kty}"`);
  else {
    const absent = (MATERIAL[k.kty] ?? []).filter((m) => !nonEmptyString(k[m]));
    if (absent.length > 0) out.push(`lacks ${absent.join(', ')} for kty ${k.kty}`);
    if (k.kty === 'oct') out.push('is a symmetric (oct) key: a shared secret must never be published');
  }
  if (!nonEmptyString(k.kid)) out.push('has no kid');
  if (k.use !== undefined && k.use !== 'sig' && k.use !== 'enc')
    out.push(`has invalid use ${JSON.stringify(k.use)}`);
  if (k.alg !== undefined) {
    const alg = k.alg;
    if (typeof alg !== 'string' || (!SIG_ALGS.has(alg) && !ENC_ALGS.has(alg)))
      out.push(`has invalid alg ${JSON.stringify(alg)}`);
    else if (k.use === 'sig' && !SIG_ALGS.has(alg)) out.push(`has use "sig" but encryption alg "${alg}"`);
    else if (k.use === 'enc' && !ENC_ALGS.has(alg)) out.push(`has use "enc" but signing alg "${alg}"`);
  }
  const priv = PRIVATE_MEMBERS.filter((m) => m in k && k.kty !== 'oct');
  if (priv.length > 0) out.push(`publishes private key material (${priv.join(', ')})`);
  return out;
}

function label(key: unknown, index: number): string {
  const kid = (key as { kid?: unknown } | null)?.kid;
  return nonEmptyString(kid) ? `key ${index} (kid ${kid})` : `key ${index}`;
}

export const check: Check = {
  id: 'jwks',
  needs: ['discovery'],
  async run(target, ctx: CheckContext): Promise<CheckOutcome> {
    const uri = target.facts.discovery?.jwks_uri;
    if (typeof uri !== 'string' || !URL.canParse(uri)) {
      return { status: 'skip', title: 'No usable jwks_uri in the discovery document' };
    }
    const data: Record<string, unknown> = { url: uri };
    let res: Awaited<ReturnType<typeof httpGet>>;
    try {
      res = await httpGet(uri, {
        dispatcher: ctx.net.dispatcher(routeFor(new URL(uri), target.issuer, target.facts, ctx.net)),
        timeoutMs: ctx.options.timeoutMs,
        maxBytes: MAX_JWKS_BYTES,
        headers: { accept: 'application/json' },
      });
    } catch (err) {
      const detail = isHttpTimeout(err) ? err.message : mapNetError(err).detail;
      return {
        status: 'fail',
        code: 'JWKS_HTTP_ERROR',
        title: 'The signing keys (JWKS) could not be fetched',
        detail: `GET ${uri}: ${detail}`,
        data,
      };
    }
    data.status = res.status;
    if (res.status !== 200) {
      const location =
        res.status >= 300 && res.status < 400 ? headerValue(res.headers, 'location') : undefined;
      const body = snippet(res.body);
      return {
        status: 'fail',
        code: 'JWKS_HTTP_ERROR',
        title: `The signing keys (JWKS) could not be fetched (HTTP ${res.status})`,
        detail: `GET ${uri} answered HTTP ${res.status}${location ? ` redirecting to ${location} (not followed)` : body ? `: ${body}` : ''}.`,
        data,
      };
    }
    if (res.truncated) {
      return {
        status: 'fail',
        code: 'JWKS_INVALID',
        title: 'The JWKS is too large',
        detail: `GET ${uri} sent more than ${MAX_JWKS_BYTES} bytes (1 MiB); reading stopped there. A key set is a few KiB.`,
        data,
      };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body.toString('utf8'));
    } catch {
      return {
        status: 'fail',
        code: 'JWKS_INVALID',
        title: 'The JWKS is not JSON',
        detail: `GET ${uri} answered: "${snippet(res.body)}"`,
        data,
      };
    }
    const keys = (parsed as { keys?: unknown } | null)?.keys;
    if (parsed === null || typeof parsed !== 'object' || !Array.isArray(keys)) {
      return {
        status: 'fail',
        code: 'JWKS_INVALID',
        title: 'The JWKS has no "keys" array',
        detail: `GET ${uri} answered JSON without a "keys" array: "${snippet(res.body)}"`,
        data,
      };
    }
    const kids = keys.map((k) => (k as { kid?: unknown } | null)?.kid).filter(nonEmptyString);
    const algs = [...new Set(keys.map((k) => (k as { alg?: unknown } | null)?.alg).filter(nonEmptyString))];
    Object.assign(data, { keyCount: keys.length, kids, algs });
    if (keys.length === 0) {
      return {
        status: 'fail',
        code: 'JWKS_EMPTY',
        title: 'The JWKS contains no keys',
        detail: `GET ${uri} answered an empty key set: ID tokens cannot be verified.`,
        data,
      };
    }
    const bad = keys.flatMap((k, i) => {
      const p = keyProblems(k);
      return p.length > 0 ? [`${label(k, i)} ${p.join(', ')}`] : [];
    });
    const dupes = kids.filter((kid, i) => kids.indexOf(kid) !== i);
    if (dupes.length > 0) bad.push(`kid ${[...new Set(dupes)].join(', ')} appears more than once`);
    if (bad.length > 0) {
      return {
        status: 'fail',
        code: 'JWKS_INVALID',
        title: `The JWKS is malformed (${bad.length} problem${bad.length === 1 ? '' : 's'})`,
        detail: bad.join('; '),
        data,
      };
    }
    return {
      status: 'pass',
      title: `The JWKS has ${keys.length} signing key${keys.length === 1 ? '' : 's'}`,
      detail: `kids: ${kids.join(', ')}${algs.length > 0 ? `; algs: ${algs.join(', ')}` : ''}`,
      data,
    };
  },
};
