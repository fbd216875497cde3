// Shared measuring code of the benchmarks: run `node <args>` as a child (asynchronously, so servers
// living in the bench process keep answering), time it from spawn to exit, and read the child's own
// peak RSS. Reports, never asserts. Plain `node` runs this file: erasable TypeScript only.
import { spawnCollect } from '../test/support/spawn.ts';

/**
 * /usr/bin/time is not everywhere; ask Node for its own peak RSS (and CPU time) at exit instead. The
 * hook prints `\nRSS=<kilobytes> CPU=<microseconds>` on the child's stderr; measure() strips it again.
 */
export const RSS_HOOK = [
  '--import',
  'data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("\\nRSS="+u.maxRSS+" CPU="+(u.userCPUTime+u.systemCPUTime))})',
];

export interface Sample {
  /** Wall time from spawn to exit, in milliseconds. */
  ms: number;
  /** The child's peak resident set size in KiB (NaN when it did not report it). */
  maxRssKb: number;
  /** The child's CPU time (user + system) in milliseconds (NaN when it did not report it). */
  cpuMs: number;
  exitCode: number | null;
  stdout: string;
  /** The child's stderr without the RSS line. */
  stderr: string;
}

export interface MeasureOptions {
  /** The child's whole environment (default: this process's, plus NO_COLOR=1). */
  env?: NodeJS.ProcessEnv;
  /** Kill the child after this long; a hang must not stall the bench. Default 60 s. */
  timeoutMs?: number;
}

/** Run `node <RSS hook> ...args` once. */
export async function measure(args: string[], opts: MeasureOptions = {}): Promise<Sample> {
  const env = opts.env ?? { ...process.env, NO_COLOR: '1' };
  const t0 = process.hrtime.bigint();
  const r = await spawnCollect(process.execPath, [...RSS_HOOK, ...args], {
    env,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = /\nRSS=(\d+) CPU=(\d+)\s*$/.exec(r.stderr);
  return {
    ms,
    maxRssKb: m ? Number(m[1]) : Number.NaN,
    cpuMs: m ? Number(m[2]) / 1000 : Number.NaN,
    exitCode: r.code,
    stdout: r.stdout,
    stderr: m ? r.stderr.slice(0, m.index) : r.stderr,
  };
}

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

export interface Summary {
  runs: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  /** Mean CPU time of the child: close to meanMs means the run is bound by its one thread, not by waiting. */
  meanCpuMs: number;
  maxRssMiB: number;
}

export function summarize(samples: Sample[]): Summary {
  const times = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    runs: samples.length,
    meanMs: times.reduce((a, b) => a + b, 0) / Math.max(1, times.length),
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    meanCpuMs: samples.reduce((a, s) => a + s.cpuMs, 0) / Math.max(1, samples.length),
    maxRssMiB: Math.max(...samples.map((s) => s.maxRssKb)) / 1024,
  };
}

/**
 * One warm-up run (discarded), then `runs` runs one after the other. `check` sees every sample and
 * throws when the run did not do what the bench means to measure (numbers of a broken run mislead).
 */
export async function series(
  args: string[],
  runs: number,
  opts: MeasureOptions & { check?: (s: Sample, warmUp: boolean) => void } = {},
): Promise<Summary> {
  const warm = await measure(args, opts);
  opts.check?.(warm, true);
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const s = await measure(args, opts);
    opts.check?.(s, false);
    samples.push(s);
  }
  return summarize(samples);
}

const NAME_WIDTH = 40;

export function header(): string {
  return `${'case'.padEnd(NAME_WIDTH)} mean ms    p50    p95  CPU ms  max RSS MiB`;
}

export function row(name: string, s: Summary): string {
  return [
    name.padEnd(NAME_WIDTH),
    s.meanMs.toFixed(1).padStart(7),
    s.p50Ms.toFixed(1).padStart(6),
    s.p95Ms.toFixed(1).padStart(6),
    s.meanCpuMs.toFixed(0).padStart(7),
    s.maxRssMiB.toFixed(1).padStart(12),
  ].join(' ');
}

/** BENCH_RUNS as a positive integer, else `fallback`. */
export function runsFromEnv(fallback: number): number {
  const n = Number(process.env.BENCH_RUNS);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
