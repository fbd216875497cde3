import type { Code } from './codes.js';

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
