import type { Code } from './codes.js';

/** The JSON document printed by `--json`: plain data, versioned. docs/json-schema.md describes it. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  status: CheckStatus;
  /** Present on warn and fail. */
  code?: Code;
  title: string;
  detail?: string;
  advice?: string;
  durationMs: number;
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
