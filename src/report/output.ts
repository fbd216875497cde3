// Presentation of a command's result: which format, the spinner while checks run, schemaVersion on
// every JSON document, and the job summary file under --format github. Commands never print; the
// action helper (src/commands/action.ts) hands their Result here.
import { CortexSsoError } from '../errors.js';
import { canAnimate, colorLevel, type Io } from '../io.js';
import type { CheckResult, DiagnoseResult } from '../result.js';
import type { TextOptions } from './text.js';

/** An error as the machine-readable documents show it. */
export interface ErrorInfo {
  code: string;
  message: string;
  detail?: string;
  advice?: string;
}

interface FormatEntry {
  /** How --help names it. */
  readonly help: string;
  /** Only the checklist commands (diagnose, connector verify, okta audit) offer it. */
  readonly checklistOnly?: true;
  /** Print a result; `text` is the text renderer's output. */
  write(io: Io, result: unknown, text: () => Promise<string>): Promise<void>;
  /** The error document of this format, if it has one (argv names the command). */
  error?(io: Io, argv: readonly string[], error: ErrorInfo): Promise<void>;
}

/**
 * The output formats: a new one is a renderer file in report/ plus one entry here (the --format
 * choices and its help derive from this list).
 */
export const FORMATS = {
  text: {
    help: 'text (default)',
    write: async (io, _result, text) => {
      io.stdout.write(await text());
    },
  },
  json: {
    help: 'json',
    write: async (io, result) => {
      const { renderJson } = await import('./json.js');
      io.stdout.write(renderJson(withSchemaVersion(result)));
    },
    // docs/json-output.md, "The error document".
    error: async (io, _argv, error) => {
      io.stdout.write(`${JSON.stringify({ schemaVersion: 1, ok: false, error }, null, 2)}\n`);
    },
  },
  junit: {
    help: 'junit (XML test report)',
    checklistOnly: true,
    write: async (io, result) => {
      const { renderJunit } = await import('./junit.js');
      io.stdout.write(renderJunit(result as DiagnoseResult));
    },
    error: async (io, argv, error) => (await import('./junit.js')).writeJunitError(io, argv, error),
  },
  github: {
    help: 'github (Actions annotations + job summary)',
    checklistOnly: true,
    write: async (io, result, text) => {
      const checks = result as DiagnoseResult;
      const { renderGithubAnnotations, renderGithubSummary } = await import('./github.js');
      io.stdout.write(renderGithubAnnotations(checks) + (await text()));
      // Only here does a job summary file get written.
      const summaryFile = io.env.GITHUB_STEP_SUMMARY;
      if (summaryFile) {
        const { appendFileSync } = await import('node:fs');
        appendFileSync(summaryFile, renderGithubSummary(checks));
      }
    },
  },
} as const satisfies Record<string, FormatEntry>;

export type Format = keyof typeof FORMATS;

export function isFormat(name: string | undefined): name is Format {
  return name !== undefined && Object.hasOwn(FORMATS, name);
}

/** --json and --format: one format, or a usage error when they disagree. */
export function outputFormat(opts: { json?: boolean; format?: string }): Format {
  if (opts.json && opts.format !== undefined && opts.format !== 'json') {
    throw new CortexSsoError(
      'USAGE',
      `--json and --format ${opts.format} conflict: give one of them (--json is the same as --format json)`,
    );
  }
  return opts.json ? 'json' : ((opts.format ?? 'text') as Format);
}

export function textOptions(io: Io, opts: { verbose?: boolean }): TextOptions {
  return { color: colorLevel(io), verbose: Boolean(opts.verbose) };
}

/** Every JSON document carries the schema version first, so scripts can check it. */
export function withSchemaVersion(result: unknown): unknown {
  return typeof result === 'object' && result !== null && !('schemaVersion' in result)
    ? { schemaVersion: 1, ...result }
    : result;
}

/** Print a result in the chosen format. */
export async function emit(
  io: Io,
  format: Format,
  result: unknown,
  text: () => Promise<string>,
): Promise<void> {
  await (FORMATS[format] as FormatEntry).write(io, result, text);
}

/** The error document of a format (json, junit), when it has one. */
export async function emitError(
  io: Io,
  format: Format,
  argv: readonly string[],
  error: ErrorInfo,
): Promise<void> {
  await (FORMATS[format] as FormatEntry).error?.(io, argv, error);
}

export type OnCheck = (issuerInput: string, result: CheckResult) => void;

/** Run `fn` with a spinner on stderr when a person watches a terminal (never in CI or with --json). */
export async function withProgress<T>(
  io: Io,
  quiet: boolean,
  fn: (onCheck?: OnCheck, stop?: () => void) => Promise<T>,
): Promise<T> {
  if (quiet || !canAnimate(io)) return fn();
  const { default: ora } = await import('ora');
  const spinner = ora({ text: 'Checking…', stream: io.stderr as NodeJS.WriteStream, discardStdin: false });
  let count = 0;
  let started = false;
  const onCheck: OnCheck = (_issuer, r) => {
    count += 1;
    if (!started) {
      started = true;
      spinner.start();
    }
    spinner.text = `Checking… ${count} steps done (last: ${r.id} ${r.status})`;
  };
  try {
    // `stop` lets a command end the spinner before it asks a question.
    return await fn(onCheck, () => spinner.stop());
  } finally {
    spinner.stop();
  }
}
