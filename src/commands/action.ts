// The one helper every command's action goes through: choose the output format, run the command
// (with a spinner while checks run, when a person watches), print the result, set the exit code.
// Errors propagate to cli.ts, which hands them to report/errors.ts. Loaded for `--help`: the
// presentation modules load inside the action.
import type { Factory } from '../factory.js';
import type { TextOptions } from '../report/text.js';
import type { CheckResult } from '../result.js';

export interface ActionHooks {
  /** Progress of the checks (drives the spinner); absent when nobody watches. */
  onCheck?: (issuerInput: string, result: CheckResult) => void;
  /** Ends the spinner before the command asks a question. */
  stop?: () => void;
}

export interface ActionSpec<O, R> {
  /** Show a spinner while checks run (text output at a terminal only). */
  progress?: boolean;
  run(opts: O, hooks: ActionHooks): Promise<R>;
  /** The text rendering of the result (also the body of --format github). */
  text(result: R, options: TextOptions): string | Promise<string>;
  /** The exit code for a result; 0 when absent. */
  exit?(result: R): number;
}

type OutputFlags = { json?: boolean; format?: string; verbose?: boolean };

/** The options commander parsed (untyped by commander; each definition names the ones it reads). */
// biome-ignore lint/suspicious/noExplicitAny: commander hands actions an untyped options object
export type Opts = Record<string, any>;

/** An action for commander: `.action(action(f, { run, text, exit }))`. */
export function action<O extends OutputFlags, R>(
  f: Factory,
  spec: ActionSpec<O, R>,
): (opts: O) => Promise<void> {
  return async (opts) => {
    const out = await import('../report/output.js');
    // --format's choices differ (checklists add junit and github); --json conflicts with any other.
    const format = out.outputFormat(opts);
    f.format = format;
    const run = (onCheck?: ActionHooks['onCheck'], stop?: () => void) =>
      spec.run(opts, { ...(onCheck ? { onCheck } : {}), ...(stop ? { stop } : {}) });
    if (spec.progress) f.useNetwork();
    const result = spec.progress ? await out.withProgress(f.io, format !== 'text', run) : await run();
    await out.emit(f.io, format, result, async () => spec.text(result, out.textOptions(f.io, opts)));
    f.exitCode = spec.exit?.(result) ?? 0;
  };
}

/** The exit code of a result with an `ok` flag: 0 when ok, else 1. */
export const okExit = <T extends { ok: boolean }>(r: T): number => (r.ok ? 0 : 1);
