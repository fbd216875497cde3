import type { Code } from './codes.js';

/** An expected failure with a stable code; the CLI prints its message (never a stack) and maps it to an exit code. */
export class CortexSsoError extends Error {
  override readonly name = 'CortexSsoError';
  readonly code: Code;
  readonly detail?: string;

  constructor(code: Code, message: string, options?: { detail?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.detail !== undefined) this.detail = options.detail;
  }
}

/** Usage errors exit 2 (like commander's own), everything else 1. */
export const USAGE_CODES: ReadonlySet<Code> = new Set(['USAGE', 'INPUT_MISSING', 'INPUT_INVALID']);
