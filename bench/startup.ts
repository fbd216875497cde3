// Start-up benchmark: how long a user waits for commands that do no network work, and the
// peak memory of the process. Run: `npm run bench` (after `npm run build`). Reports, never asserts:
// compare numbers between commits on the same machine. hyperfine gives finer statistics:
//   hyperfine -N --warmup 3 'node bin/cortex-sso.js --version'
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/cortex-sso.js', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 20);

const cases: Array<[string, string[]]> = [
  ['node (baseline)', ['-e', '']],
  ['--version', [bin, '--version']],
  ['--help', [bin, '--help']],
  ['diagnose --help', [bin, 'diagnose', '--help']],
  ['connector set --help', [bin, 'connector', 'set', '--help']],
  [
    'diagnose (bad issuer, no network)',
    [bin, 'diagnose', '--issuer', 'https://acme-admin.okta.com', '--json'],
  ],
];

function measure(args: string[]): { ms: number; maxRssKb: number } {
  const t0 = process.hrtime.bigint();
  // /usr/bin/time is not everywhere; ask Node for its own peak RSS at exit instead.
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'data:text/javascript,process.on("exit",()=>process.stderr.write("\\nRSS="+process.resourceUsage().maxRSS))',
      ...args,
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rss = /RSS=(\d+)/.exec(r.stderr ?? '');
  return { ms, maxRssKb: rss ? Number(rss[1]) : Number.NaN };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

console.log(`node ${process.version}, ${runs} runs each (first run discarded as warm-up)\n`);
console.log('case'.padEnd(36), 'mean ms', '  p50', '  p95', '  max RSS MiB');
for (const [name, args] of cases) {
  measure(args);
  const samples = Array.from({ length: runs }, () => measure(args));
  const times = samples.map((s) => s.ms).sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const rss = Math.max(...samples.map((s) => s.maxRssKb)) / 1024;
  console.log(
    name.padEnd(36),
    mean.toFixed(1).padStart(7),
    pct(times, 50).toFixed(1).padStart(5),
    pct(times, 95).toFixed(1).padStart(5),
    rss.toFixed(1).padStart(13),
  );
}
