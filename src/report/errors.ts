// How a failed run is shown: one line (plus advice) on stderr, never a stack; with JSON output the
// error document on stdout (docs/json-output.md, "The error document"); with --format junit a
// valid JUnit document with one failing test case. Returns the exit code.
import { CommanderError } from 'commander';
import type { Code } from '../codes.js';
import { CortexSsoError, USAGE_CODES } from '../errors.js';
import type { Io } from '../io.js';
import type { ErrorInfo, Format } from './output.js';

/** Exit codes, documented in README.md and docs/exit-codes.md. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, INTERRUPTED: 130 } as const;

/**
 * Commander quotes stray input back (`unknown option '--token=VALUE'`, `got 1: VALUE`). A stray
 * value may be a pasted secret, and stderr ends up in CI logs: show the flag, never the value.
 */
export function redactUsageError(text: string): string {
  return text
    .replace(/unknown option '(-{1,2}[^'=\s]+)=[^']*'/g, "unknown option '$1=…'")
    .replace(/(Expected \d+ arguments? but got \d+): .*\.$/m, '$1 (values not shown).');
}

/**
 * The format asked for on the command line, for errors raised before (or while) the command chose
 * one: `--json`, `--format json`, `--format=json` (the last --format wins, as in commander).
 */
export function requestedFormat(argv: readonly string[]): Format | undefined {
  let found: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i] ?? '';
    if (a === '--') break;
    if (a === '--json') json = true;
    else if (a === '--format') found = argv[++i];
    else if (a.startsWith('--format=')) found = a.slice('--format='.length);
  }
  if (json) return 'json';
  return found as Format | undefined;
}

/** The machine-readable copy of an error, in the format the run asked for. */
async function writeDocument(
  io: Io,
  format: Format | undefined,
  argv: readonly string[],
  error: ErrorInfo,
): Promise<void> {
  const { emitError, isFormat } = await import('./output.js');
  if (isFormat(format)) await emitError(io, format, argv, error);
}

/**
 * Print an error and return the exit code. `chosen` is the format the command settled on (if it got
 * that far); otherwise the flags on the command line decide.
 */
export async function reportError(
  io: Io,
  argv: readonly string[],
  err: unknown,
  chosen: Format | undefined,
): Promise<number> {
  const format = chosen ?? requestedFormat(argv);
  if (err instanceof CommanderError) {
    if (
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
    ) {
      return EXIT.OK;
    }
    if (err.exitCode === 0) return EXIT.OK;
    // Commander already printed its one-line message; scripts get the error document too.
    const usage = { code: 'USAGE', message: redactUsageError(err.message).replace(/^error: /, '') };
    await writeDocument(io, format, argv, usage);
    return EXIT.USAGE;
  }
  // @inquirer throws ExitPromptError on Ctrl+C inside a prompt.
  if (err instanceof Error && err.name === 'ExitPromptError') {
    io.stderr.write('cancelled: nothing was changed\n');
    return EXIT.INTERRUPTED;
  }
  const { CODES } = await import('../codes.js');
  let e: CortexSsoError;
  if (err instanceof CortexSsoError) e = err;
  else {
    e = new CortexSsoError('INTERNAL', err instanceof Error ? err.message : String(err));
    if (io.env.CORTEX_SSO_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  }
  const info = CODES[e.code as Code];
  await writeDocument(io, format, argv, {
    code: e.code,
    message: e.message,
    ...(e.detail ? { detail: e.detail } : {}),
    ...(info && e.code !== 'USAGE' ? { advice: info.advice } : {}),
  });
  const lines = [`error: ${e.message}`];
  if (e.detail) lines.push(e.detail);
  if (info && e.code !== 'USAGE' && e.code !== 'INPUT_MISSING') lines.push(`Fix: ${info.advice}`);
  io.stderr.write(`${lines.join('\n')}\n`);
  return USAGE_CODES.has(e.code) ? EXIT.USAGE : EXIT.FAILED;
}
