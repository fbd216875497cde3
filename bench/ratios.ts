// What users feel, as ratios measured side by side in one run (issue 8). Each row runs its two
// commands alternately (A, B, A, B, ...) so that load from other processes on the machine hits both
// alike, and compares medians. The issuers are real HTTPS servers on 127.0.0.1 whose chain leads to a
// generated private root passed with --ca-file: the real trust path (OS store, NODE_EXTRA_CA_CERTS,
// anchor lookup, CERT_PRIVATE_ROOT), not roots marked public.
// Run: `npm run bench` (builds first). BENCH_RUNS sets the pairs per row (default 10).
// Reports, never asserts, and never runs under `npm test`: benchmarks are not tests. It does stop when
// a run is not the run it means to measure (numbers of a failing run would mislead).
// Plain `node` runs this file: erasable TypeScript, `.ts` imports, no src/ imports.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestPki } from '../test/support/pki.ts';
import { type BenchIssuer, startBenchIssuer, startBlackhole } from './issuer.ts';
import { measure, percentile, runsFromEnv, type Sample } from './measure.ts';

const bin = fileURLToPath(new URL('../bin/cortex-sso.js', import.meta.url));
const minimal = fileURLToPath(new URL('./minimal.mjs', import.meta.url));
const runs = runsFromEnv(10);
const MANY = 20;
const DELAY_MS = 150;

interface Report {
  ok: boolean;
  results: Array<{ checks: Array<{ id: string; status: string; code?: string; durationMs?: number }> }>;
}

/** The child's environment: no proxy, no colour, no saved profile, nothing marked public. */
function childEnv(configDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(https?_proxy|no_proxy|all_proxy|force_color|ci|cortex_sso_.*)$/i.test(k)) delete env[k];
  }
  return { ...env, NO_COLOR: '1', CORTEX_SSO_CONFIG_DIR: configDir };
}

/** A healthy diagnose through --ca-file: exit 0, every check passes except the expected private-root warning. */
function expectHealthy(issuers: number): (s: Sample) => void {
  return (s) => {
    let doc: Report | undefined;
    try {
      doc = JSON.parse(s.stdout) as Report;
    } catch {
      doc = undefined;
    }
    const unexpected = doc?.results
      .flatMap((r) => r.checks)
      .filter((c) => c.status !== 'pass' && !(c.id === 'certificate' && c.code === 'CERT_PRIVATE_ROOT'))
      .map((c) => `${c.id}:${c.status}:${c.code}`);
    if (s.exitCode !== 0 || doc?.results.length !== issuers || (unexpected?.length ?? 1) > 0) {
      throw new Error(
        `diagnose exited ${s.exitCode} with ${doc ? `${doc.results.length} result(s), unexpected: ${unexpected?.join(', ')}` : `no JSON: ${s.stdout.slice(0, 300)}`}\n${s.stderr.slice(0, 500)}`,
      );
    }
  };
}

function expectExit(code: number, what: string): (s: Sample) => void {
  return (s) => {
    if (s.exitCode !== code) {
      throw new Error(`${what} exited ${s.exitCode} (expected ${code}): ${s.stderr.slice(0, 400)}`);
    }
  };
}

interface Side {
  args: string[];
  check: (s: Sample) => void;
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

/** One warm-up each, then `n` alternating pairs. */
async function pairs(
  a: Side,
  b: Side,
  env: NodeJS.ProcessEnv,
  n = runs,
): Promise<{ a: Sample[]; b: Sample[] }> {
  for (const side of [a, b]) side.check(await measure(side.args, { env }));
  const out = { a: [] as Sample[], b: [] as Sample[] };
  for (let i = 0; i < n; i++) {
    const sa = await measure(a.args, { env });
    a.check(sa);
    out.a.push(sa);
    const sb = await measure(b.args, { env });
    b.check(sb);
    out.b.push(sb);
  }
  return out;
}

interface Row {
  name: string;
  value: number;
  target: number;
  unit: 'x' | 'MiB' | 's';
  strict?: boolean;
  note: string;
}

const rows: Row[] = [];
function report(row: Row): void {
  rows.push(row);
  const ok = row.strict ? row.value < row.target : row.value <= row.target;
  const fmt = (v: number) =>
    row.unit === 'x' ? `${v.toFixed(2)}x` : row.unit === 's' ? `${v.toFixed(2)} s` : `${v.toFixed(0)} MiB`;
  console.log(
    `${ok ? 'ok  ' : 'OVER'} ${row.name.padEnd(44)} ${fmt(row.value).padStart(9)}  target ${row.strict ? '<' : '≤'}${fmt(row.target).padStart(8)}   ${row.note}`,
  );
}

const closers: Array<() => Promise<void>> = [];
try {
  const pki = await createTestPki('cortex-sso Bench Private Root CA');
  const dir = mkdtempSync(join(tmpdir(), 'cortex-sso-bench-'));
  closers.push(async () => rmSync(dir, { recursive: true, force: true }));
  const caFile = join(dir, 'root.pem');
  writeFileSync(caFile, pki.root.certPem);
  const env = childEnv(join(dir, 'config'));

  const issuers: BenchIssuer[] = [];
  for (let i = 0; i < MANY; i++) {
    const it = await startBenchIssuer(pki.leaf, i === 0 ? '/oauth2/default' : `/oauth2/aus${i}`);
    closers.push(() => it.close());
    issuers.push(it);
  }
  const slow = await startBenchIssuer(pki.leaf, '/oauth2/slow', DELAY_MS);
  closers.push(() => slow.close());
  const hole = await startBlackhole();
  closers.push(() => hole.close());
  const first = issuers[0] as BenchIssuer;
  const diagnose = (list: string[], extra: string[] = []): string[] => [
    bin,
    'diagnose',
    ...list.flatMap((i) => ['--issuer', i]),
    '--ca-file',
    caFile,
    '--json',
    ...extra,
  ];
  const nodeE: Side = { args: ['-e', '0'], check: expectExit(0, 'node -e 0') };

  console.log(
    `node ${process.version}; ${runs} alternating pairs per row after one warm-up each, medians compared; issuers on 127.0.0.1 behind a private root given with --ca-file\n`,
  );

  const version = await pairs({ args: [bin, '--version'], check: expectExit(0, '--version') }, nodeE, env);
  const vA = median(version.a.map((s) => s.ms));
  const vB = median(version.b.map((s) => s.ms));
  report({
    name: '--version / node -e 0',
    value: vA / vB,
    target: 1.3,
    unit: 'x',
    note: `${vA.toFixed(0)} vs ${vB.toFixed(0)} ms`,
  });

  const help = await pairs({ args: [bin, '--help'], check: expectExit(0, '--help') }, nodeE, env);
  const hA = median(help.a.map((s) => s.ms));
  const hB = median(help.b.map((s) => s.ms));
  report({
    name: '--help / node -e 0',
    value: hA / hB,
    target: 1.6,
    unit: 'x',
    note: `${hA.toFixed(0)} vs ${hB.toFixed(0)} ms`,
  });

  const minimalSide = (issuer: string): Side => ({
    args: [minimal, issuer, caFile],
    check: expectExit(0, 'the minimal script'),
  });
  const healthy = await pairs(
    { args: diagnose([first.issuer]), check: expectHealthy(1) },
    minimalSide(first.issuer),
    env,
  );
  const dA = median(healthy.a.map((s) => s.ms));
  const dB = median(healthy.b.map((s) => s.ms));
  report({
    name: 'healthy diagnose / minimal script',
    value: dA / dB,
    target: 1.5,
    unit: 'x',
    note: `${dA.toFixed(0)} vs ${dB.toFixed(0)} ms; CPU ${median(healthy.a.map((s) => s.cpuMs)).toFixed(0)} vs ${median(healthy.b.map((s) => s.cpuMs)).toFixed(0)} ms`,
  });

  const delayed = await pairs(
    { args: diagnose([slow.issuer]), check: expectHealthy(1) },
    minimalSide(slow.issuer),
    env,
  );
  const sA = median(delayed.a.map((s) => s.ms));
  const sB = median(delayed.b.map((s) => s.ms));
  report({
    name: `${DELAY_MS} ms per response / minimal script`,
    value: sA / sB,
    target: 1.2,
    unit: 'x',
    note: `${sA.toFixed(0)} vs ${sB.toFixed(0)} ms`,
  });

  const many = await pairs(
    { args: diagnose(issuers.map((i) => i.issuer)), check: expectHealthy(MANY) },
    { args: diagnose([first.issuer]), check: expectHealthy(1) },
    env,
  );
  const mA = median(many.a.map((s) => s.ms));
  const mB = median(many.b.map((s) => s.ms));
  report({
    name: `${MANY} issuers / 1 issuer`,
    value: mA / mB,
    target: 2.0,
    unit: 'x',
    note: `${mA.toFixed(0)} vs ${mB.toFixed(0)} ms`,
  });
  const rss = Math.max(...many.a.map((s) => s.maxRssKb)) / 1024;
  report({
    name: `peak RSS, ${MANY} issuers`,
    value: rss,
    target: 150,
    unit: 'MiB',
    strict: true,
    note: `max of ${many.a.length} runs`,
  });

  const holeRuns: Sample[] = [];
  const holeIssuer = `https://localhost:${hole.port}`;
  const holeCheck = expectExit(1, 'the blackhole diagnose');
  for (let i = 0; i < Math.min(3, runs); i++) {
    const s = await measure(diagnose([holeIssuer], ['--timeout', '2']), { env });
    holeCheck(s);
    holeRuns.push(s);
  }
  const holeMax = Math.max(...holeRuns.map((s) => s.ms)) / 1000;
  report({
    name: 'blackhole issuer, --timeout 2',
    value: holeMax,
    target: 3,
    unit: 's',
    note: `max of ${holeRuns.length} runs`,
  });

  // Where the time of a healthy run goes (the JSON durationMs; checks overlap where they may).
  const times = new Map<string, number[]>();
  for (const s of healthy.a) {
    for (const c of (JSON.parse(s.stdout) as Report).results[0]?.checks ?? []) {
      if (typeof c.durationMs === 'number') times.set(c.id, [...(times.get(c.id) ?? []), c.durationMs]);
    }
  }
  console.log(
    `\nper check, healthy run (p50 ms): ${[...times].map(([id, t]) => `${id} ${median(t)}`).join(', ')}`,
  );
  const over = rows.filter((r) => (r.strict ? r.value >= r.target : r.value > r.target));
  console.log(over.length === 0 ? 'every row at or under its target' : `${over.length} row(s) over target`);
} finally {
  await Promise.allSettled(closers.reverse().map((close) => close()));
}
