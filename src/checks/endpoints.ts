import tls from 'node:tls';
import { openTcp, tlsHandshake } from '../net/connect.js';
import { codedError, type MappedNetError, mapNetError } from '../net/errors.js';
import { hostKey, urlPort } from '../net/host.js';
import type { ParsedIssuer } from '../okta/issuer.js';
import { routeFor } from './route.js';
import type { Check, CheckContext, CheckOutcome, DiscoveryDocument, Facts } from './types.js';

/** Discovery fields whose hosts a sign-in (or logout/revocation) talks to. */
export const ENDPOINT_FIELDS = [
  'authorization_endpoint',
  'token_endpoint',
  'userinfo_endpoint',
  'jwks_uri',
  'end_session_endpoint',
  'revocation_endpoint',
  'introspection_endpoint',
] as const;

export interface EndpointHost {
  host: string;
  origin: string;
  fields: string[];
}

/** Distinct hosts (host:port) the document names, other than the issuer's own. */
export function otherHosts(doc: DiscoveryDocument, issuer: ParsedIssuer): EndpointHost[] {
  const own = hostKey(issuer.url);
  const byHost = new Map<string, EndpointHost>();
  for (const field of ENDPOINT_FIELDS) {
    const v = doc[field];
    if (typeof v !== 'string' || !URL.canParse(v)) continue;
    const u = new URL(v);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') continue;
    const key = hostKey(u);
    if (key === own) continue;
    const entry = byHost.get(key) ?? { host: key, origin: u.origin, fields: [] };
    entry.fields.push(field);
    byHost.set(key, entry);
  }
  return [...byHost.values()];
}

/**
 * A verified TLS handshake with the host (through the proxy that applies to it), no HTTP request:
 * the chain must verify against trust.all() and name the host. Plain http endpoints (loopback with
 * --allow-http-loopback only; discovery rejects the rest) get a TCP connection. Undefined when fine.
 */
export async function probeHost(
  url: URL,
  issuer: ParsedIssuer,
  facts: Facts,
  ctx: CheckContext,
): Promise<MappedNetError | undefined> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = urlPort(url) || 443;
  const proxy = routeFor(url, issuer, facts, ctx.net);
  try {
    if (url.protocol === 'http:') {
      (await openTcp(host, port, { timeoutMs: ctx.options.timeoutMs, proxy })).destroy();
      return undefined;
    }
    const probe = await tlsHandshake({
      host,
      port,
      proxy,
      timeoutMs: ctx.options.timeoutMs,
      ca: ctx.net.trust.all(),
    });
    if (!probe.chainVerified) {
      const code = probe.verifyError ?? 'CERT_UNTRUSTED';
      return mapNetError(codedError(code, `certificate verification failed (${code})`));
    }
    const identity = probe.leaf
      ? tls.checkServerIdentity(host, probe.leaf)
      : new Error('the server sent no certificate');
    return identity ? mapNetError(identity) : undefined;
  } catch (err) {
    return mapNetError(err);
  }
}

export const check: Check = {
  id: 'endpoints',
  needs: ['discovery'],
  async run(target, ctx: CheckContext): Promise<CheckOutcome> {
    const doc = target.facts.discovery;
    if (!doc) return { status: 'skip', title: 'No discovery document' };
    const hosts = otherHosts(doc, target.issuer);
    const issuerHost = hostKey(target.issuer.url);
    if (hosts.length === 0) {
      return {
        status: 'pass',
        title: 'All endpoints are on the issuer host',
        detail: `all endpoints on the issuer host ${issuerHost} (already checked by tls)`,
        data: { hosts: [issuerHost] },
      };
    }
    const results = await Promise.all(
      hosts.map(async (h) => {
        const problem = await probeHost(new URL(h.origin), target.issuer, target.facts, ctx);
        return problem
          ? { ...h, ok: false as const, code: problem.code, why: problem.detail }
          : { ...h, ok: true as const };
      }),
    );
    const failed = results.filter((r) => !r.ok);
    const data = {
      issuerHost,
      hosts: results.map((r) => ({
        host: r.host,
        fields: r.fields,
        ok: r.ok,
        ...(r.ok ? {} : { code: r.code, error: r.why }),
      })),
    };
    if (failed.length > 0) {
      return {
        status: 'fail',
        code: 'ENDPOINT_UNREACHABLE',
        title: `${failed.length === 1 ? 'An endpoint host is' : `${failed.length} endpoint hosts are`} unreachable: ${failed.map((f) => f.host).join(', ')}`,
        detail: failed
          .map((f) => `${f.host} (${f.fields.join(', ')}): ${f.code} — ${f.why.replace(`${f.host}: `, '')}`)
          .join('\n'),
        advice: `Every host in the discovery document must be reachable over verified HTTPS, not only the issuer host ${issuerHost}: allow outbound HTTPS from this network to ${failed.map((f) => f.host).join(', ')} (firewall, proxy, NO_PROXY, TLS inspection), or fix the provider's endpoint URLs.`,
        data,
      };
    }
    return {
      status: 'pass',
      title: `Every endpoint host is reachable (${hosts.length + 1} hosts)`,
      detail: [`${issuerHost} (issuer)`, ...results.map((r) => `${r.host} (${r.fields.join(', ')})`)].join(
        ', ',
      ),
      data,
    };
  },
};
