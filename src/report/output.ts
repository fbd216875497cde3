// Presentation of a command's result: which format, the spinner while checks run, schemaVersion on
// every JSON document, and the job summary file under --format github. Commands never print; the
// action helper (src/commands/action.ts) hands their Result here.
import { CortexSsoError } from '../errors.js';
import { canAnimate, colorLevel, type Io } from '../io.js';
import type { CheckResult, DiagnoseResult } from '../result.js';
import type { TextOptions } from './text.js';

export type Format = 'text' | 'json' | 'junit' | 'github';

/** The output formats of a checklist command (`--format`); others only know text and --json. */
export const FORMATS: readonly Format[] = ['text', 'json', 'junit', 'github'];

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

/** Print a result: the JSON document, else the text renderer's output (junit/github: checklists only). */
export async function emit(
  io: Io,
  format: Format,
  result: unknown,
  text: () => Promise<string>,
): Promise<void> {
  if (format === 'json') {
    const { renderJson } = await import('./json.js');
    io.stdout.write(renderJson(withSchemaVersion(result)));
    return;
  }
  if (format === 'text') {
    io.stdout.write(await text());
    return;
  }
  const checks = result as DiagnoseResult;
  if (format === 'junit') {
    const { renderJunit } = await import('./junit.js');
    io.stdout.write(renderJunit(checks));
    return;
  }
  const { renderGithubAnnotations, renderGithubSummary } = await import('./github.js');
  io.stdout.write(renderGithubAnnotations(checks) + (await text()));
  // Only here does a job summary file get written.
  const summaryFile = io.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) {
    const { appendFileSync } = await import('node:fs');
    appendFileSync(summaryFile, renderGithubSummary(checks));
  }
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
