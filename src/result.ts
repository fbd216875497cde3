import type { Code } from './codes.js';
import type { ConnectorType, OidcConnection } from './cortex/types.js';

/** The JSON document printed by `--json`: plain data, versioned. docs/json-schema.md describes it. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One problem of a check: its code, how bad it is, what was seen, and how to fix it. */
export interface Finding {
  code: Code;
  status: 'warn' | 'fail';
  message: string;
  advice: string;
}

export interface CheckResult {
  id: string;
  status: CheckStatus;
  /** Present on warn and fail: the code of the most urgent finding. */
  code?: Code;
  title: string;
  detail?: string;
  advice?: string;
  durationMs: number;
  /** Every problem found, most urgent first (fail before warn); empty on pass and skip. */
  findings?: Finding[];
  data?: Record<string, unknown>;
}

export interface TargetReport {
  /** The issuer as tested (normalized); the input as typed when it could not be parsed. */
  issuer: string;
  input: string;
  ok: boolean;
  checks: CheckResult[];
}

export interface DiagnoseResult {
  schemaVersion: 1;
  ok: boolean;
  results: TargetReport[];
}

export const SCHEMA_VERSION = 1 as const;

// ── the connector and Okta commands' results (rendered by report/connector.ts and report/text.ts) ──

/** Where a value of `connector set` came from. */
export type Source = 'flag' | 'env' | 'stdin' | 'prompt' | 'profile' | 'keychain';

export interface FieldChange {
  field: 'type' | 'clientId' | 'issuer' | 'clientSecret';
  from: string | null;
  to: string;
}

export interface SetResult {
  ok: boolean;
  /** Set when nothing was pushed because of a failed pre-flight. */
  code?: 'PREFLIGHT_FAILED';
  /** Cortex's SSO configurations as read when the command started (OIDC ones; others counted). */
  remote: { oidc: OidcConnection[]; otherCount: number };
  /** The existing connection the new one replaces (deleted after the new one is confirmed). */
  replaces: OidcConnection | null;
  profile: string;
  apiUrl: string;
  dryRun: boolean;
  pushed: boolean;
  forced: boolean;
  values: {
    type: ConnectorType;
    clientId: string;
    issuer: string;
    clientSecretLastFour: string;
    redirectUri: string;
    sources: { type: Source | 'default'; clientId: Source; issuer: Source; clientSecret: Source };
  };
  notes: string[];
  changes: FieldChange[];
  preflight: DiagnoseResult;
  /** After the push: the new connection as Cortex lists it, and what happened to the old one. */
  pushedConnection?: OidcConnection;
  removed?: { connection: OidcConnection; by: 'cortex-sso' | 'cortex' } | null;
  stored?: { secret: 'keychain' | 'not-stored'; config: string };
}

export interface DriftEntry {
  /** `connection` (gone), `connections` (several), or a field of the connection. */
  field: string;
  local: string | null;
  remote: string | null;
}

export interface ShowResult {
  /** false when Cortex could not be read or the profile and Cortex disagree (exit 1). */
  ok: boolean;
  profile: string;
  configPath: string;
  apiUrl: string;
  /** Where the API key came from (never the key), when one was found. */
  apiKeySource?: string;
  local: {
    type?: string;
    clientId?: string;
    issuer?: string;
    redirectUri?: string;
    connectionId?: string;
    apiUrl?: string;
    updatedAt?: string;
    /** Where the secret is and its last four; never the secret. */
    secret: { where: string; lastFour: string } | { where: string; error: string; code: string } | null;
  } | null;
  /** What Cortex holds; null when it could not be read. */
  remote: {
    /** The profile's connection: by its saved id, else the OIDC entry with its client ID and issuer. */
    connection: OidcConnection | null;
    /** Every OIDC connection in the workspace. */
    oidc: OidcConnection[];
    /** SSO configurations of other kinds (SAML...), counted, never shown or touched. */
    otherCount: number;
  } | null;
  /** Why Cortex could not be read (no key, API down, wrong URL...). */
  remoteError?: { code: string; message: string };
  drift: DriftEntry[];
  code?: 'CONNECTOR_DRIFT';
}

export interface DeleteResult {
  ok: true;
  profile: string;
  apiUrl: string;
  /** The connection deleted in Cortex. */
  connection: OidcConnection;
  /** false when it was already gone when the DELETE arrived. */
  remoteDeleted: boolean;
  secretDeleted: boolean;
  /** Why the local secret could not be removed (keychain locked...); the remote one is gone anyway. */
  secretError?: { code: string; message: string };
  configUpdated: boolean;
}

/** Same document as `diagnose --json`, plus the profile that was verified. */
export interface VerifyResult extends DiagnoseResult {
  profile: string;
  clientId: string;
  redirectUri: string;
}

/** Same document as `connector verify --json` (VerifyResult in docs/json-schema.json). Never the token. */
export type AuditResult = VerifyResult;
