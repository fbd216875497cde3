import type { Code } from '../codes.js';
import type { NetContext } from '../net/context.js';
import type { ProxyRoute } from '../net/proxy.js';

export type { ProxyRoute } from '../net/proxy.js';

import type { ParsedIssuer } from '../okta/issuer.js';
import type { CheckStatus } from '../result.js';

/** The id of a registered check: src/checks/index.ts is the one list of them. */
export type { CheckId } from './index.js';

import type { CheckId } from './index.js';

/** One problem a check found. A check may find several (an expiring certificate AND a private root). */
export interface Finding {
  code: Code;
  status: 'warn' | 'fail';
  message: string;
  /** Defaults to the code's advice. */
  advice?: string;
}

/**
 * What a check returns. The runner adds id and duration; advice defaults to the code's advice.
 * `findings` lists every problem, most urgent first; when absent, the runner derives one finding
 * from `code`. `status` and `code` are those of the most urgent finding.
 */
export interface CheckOutcome {
  status: CheckStatus;
  code?: Code;
  title: string;
  detail?: string;
  advice?: string;
  data?: Record<string, unknown>;
  findings?: Finding[];
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface DiscoveryDocument {
  issuer?: unknown;
  authorization_endpoint?: unknown;
  token_endpoint?: unknown;
  userinfo_endpoint?: unknown;
  jwks_uri?: unknown;
  response_types_supported?: unknown;
  id_token_signing_alg_values_supported?: unknown;
  [key: string]: unknown;
}

/** Facts a check learns and later checks use. Each field is written by one check only. */
export interface Facts {
  /** proxy: the proxy that applies to the issuer, or null when connecting directly. */
  proxy?: ProxyRoute | null;
  /** dns: every address of the issuer host (or of the proxy host when a proxy applies). */
  addresses?: ResolvedAddress[];
  /** tcp: the addresses that accepted a connection. */
  reachable?: ResolvedAddress[];
  /**
   * tcp: the open connection to `reachable[0]` (direct routes only), left for the tls check to make
   * its handshake on instead of connecting again. The tls check takes it (sets this back to
   * undefined); the runner closes one nobody took when the issuer's checks end.
   */
  openConnection?: import('node:net').Socket;
  /** tls: what the handshake negotiated and the chain the server sent (PEM, leaf first). */
  tls?: { protocol: string; cipher: string; alpn: string | false; chainPem: string[] };
  /** discovery: the parsed document, as served. */
  discovery?: DiscoveryDocument;
  /** discovery/clock: the Date header of the first HTTP answer from the issuer host. */
  serverDate?: string;
  /** discovery: when that Date header was received (clock judges the skew from it). */
  serverDateSample?: ServerDateSample;
  /** okta-api: the Okta app read from the management API (never its client secret). */
  oktaApp?: import('../okta/management.js').OktaApp;
  /** okta-api: the read-only management client the other okta-* checks reuse (one per target). */
  oktaManagement?: import('../okta/management.js').OktaManagement;
}

export interface ServerDateSample {
  /** The Date header as sent. */
  date: string;
  /** Local clock (ctx.now()) when the request left and when the answer arrived. */
  sentAt: Date;
  receivedAt: Date;
}

/** Options shared by every check, from the command line. */
export interface CheckOptions {
  timeoutMs: number;
  warnDays: number;
  strict: boolean;
  /** Loopback issuers may use plain http when the user allows it explicitly. */
  allowHttpLoopback: boolean;
  /** verify only */
  clientId?: string;
  clientSecret?: import('../secret.js').Secret;
  redirectUri?: string;
  /** verify: what Cortex holds for this profile's connection (GET /api/v1/sso/configurations). */
  cortexConnection?: () => Promise<import('../cortex/connections.js').CortexConnectionReport>;
  /** okta audit: the read-only Okta API token, sent only to the issuer's org as `SSWS`. */
  oktaApiToken?: import('../secret.js').Secret;
  /** okta audit: the longest wait for X-Rate-Limit-Reset before reporting OKTA_RATE_LIMITED (ms). */
  oktaRateLimitMaxWaitMs?: number;
}

export interface CheckContext {
  options: CheckOptions;
  net: NetContext;
  /** Current time; injectable for tests. */
  now(): Date;
}

export interface Target {
  /** What the user typed. */
  input: string;
  /** Set by issuer-url when the input is usable. */
  issuer?: ParsedIssuer;
  facts: Facts;
}

export interface Check {
  id: CheckId;
  /**
   * Runs on what the user typed, before anything else, and records the parsed issuer in
   * `target.issuer` (issuer-url). Every other check is skipped when no such check produced one.
   */
  input?: true;
  /** Checks that must not have failed before this one runs. */
  needs: CheckId[];
  /**
   * Checks to wait for (when they run at all) without depending on their verdict: their facts are
   * used when present (clock reads discovery's Date header instead of sending its own request).
   */
  after?: CheckId[];
  run(target: Target & { issuer: ParsedIssuer }, ctx: CheckContext): Promise<CheckOutcome>;
}
