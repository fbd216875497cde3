/** The streams and environment a command sees. The entry point builds it from `process`; tests build their own. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Resolves when the process is asked to stop (SIGINT, SIGTERM). Set by the entry point, which owns
   * the process; a long-running command (`sandbox`) awaits it to close its servers first.
   */
  untilStopped?: () => Promise<'SIGINT' | 'SIGTERM'>;
}

/** Colour level from NO_COLOR / FORCE_COLOR (https://no-color.org, https://force-color.org), else the stream. */
export function colorLevel(io: Io, stream: 'stdout' | 'stderr' = 'stdout'): 0 | 1 | 2 | 3 {
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2' || force === '3') return Number(force) as 2 | 3;
    return 1;
  }
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return 0;
  if (io.env.TERM === 'dumb') return 0;
  return io[stream].isTTY ? 1 : 0;
}

/**
 * True when a person can answer prompts: stdin and stderr (where prompts draw) are terminals, not
 * CI, not --no-input. stdout may be a file or a pipe (`--json > result.json`).
 */
export function canPrompt(io: Io, noInput = false): boolean {
  if (noInput) return false;
  if (isCi(io.env)) return false;
  return Boolean(io.stdin.isTTY && io.stderr.isTTY);
}

export function isCi(env: Io['env']): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** Spinners and other animation only for a person watching a terminal. */
export function canAnimate(io: Io): boolean {
  // A spinner redraws with cursor moves: only on a real terminal stream that can do them.
  // A zero-width pseudo-terminal (some CI containers, `script` without a terminal) would make the
  // spinner clear an unbounded number of lines: no animation there either.
  const stream = io.stderr as { cursorTo?: unknown; columns?: number };
  const cursorCapable = typeof stream.cursorTo === 'function' && (stream.columns ?? 0) > 0;
  return Boolean(io.stderr.isTTY) && cursorCapable && !isCi(io.env) && io.env.TERM !== 'dumb';
}
