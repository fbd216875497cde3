// Builds a CheckContext and a Target for the network checks (proxy, dns, tcp, tls, certificate).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckContext, Target } from '../../src/checks/types.ts';
import type { Resolver } from '../../src/net/context.ts';
import { createDefaultResolver } from '../../src/net/resolver.ts';
import { createTrustStore } from '../../src/net/trust.ts';
import type { ParsedIssuer } from '../../src/okta/issuer.ts';

export interface NetCtxOptions {
  /** PEM roots written to a temp file and passed as --ca-file. */
  caPems?: string[];
  /** Roots treated as Node's public roots (instead of tls.rootCertificates). */
  publicRoots?: string[];
  env?: Record<string, string | undefined>;
  proxyFlag?: string;
  resolver?: Resolver;
  timeoutMs?: number;
  warnDays?: number;
  now?: () => Date;
}

export function writeTempPem(pems: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-sso-ca-'));
  const file = join(dir, 'ca.pem');
  writeFileSync(file, pems.join(''));
  return file;
}

export function netCtx(opts: NetCtxOptions = {}): CheckContext {
  const env = opts.env ?? {};
  const trust = createTrustStore({
    ...(opts.caPems ? { caFile: writeTempPem(opts.caPems) } : {}),
    env,
    ...(opts.publicRoots ? { publicRootsOverride: opts.publicRoots } : {}),
    includeSystem: false,
  });
  return {
    options: {
      timeoutMs: opts.timeoutMs ?? 3000,
      warnDays: opts.warnDays ?? 30,
      strict: false,
      allowHttpLoopback: false,
    },
    net: {
      trust,
      resolver: opts.resolver ?? createDefaultResolver(),
      ...(opts.proxyFlag !== undefined ? { proxyFlag: opts.proxyFlag } : {}),
      env,
      dispatcher: () => {
        throw new Error('unused');
      },
    },
    now: opts.now ?? (() => new Date()),
  };
}

/** A target as issuer-url would leave it, for https://host:port. */
export function netTarget(host: string, port: number): Target & { issuer: ParsedIssuer } {
  const url = new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`);
  const issuer = url.origin;
  return {
    input: issuer,
    issuer: {
      issuer,
      url,
      host,
      port,
      kind: 'generic',
      domainKind: 'custom',
      discoveryUrl: `${issuer}/.well-known/openid-configuration`,
      normalizations: [],
      loopback: host === 'localhost' || host.startsWith('127.') || host === '::1',
    },
    facts: {},
  };
}
