// End-to-end cost of `cortex-sso diagnose`: wall time and peak memory of the real, built CLI against
// a healthy local issuer (a real OpenID provider over HTTPS on 127.0.0.1, its test CA counted as a
// public root through CORTEX_SSO_PUBLIC_CA_FILE), for one issuer and for five at once.
// Run: `npm run bench` (builds first). BENCH_RUNS sets the number of runs (default 10).
// Reports, never asserts: compare numbers between commits on the same machine. It does stop when a
// run is not the healthy run it means to measure (numbers of a failing run would mislead).
// The issuers live in this process, so the CLI is spawned asynchronously (spawnSync would block them).
// Plain `node` runs this file: erasable TypeScript, `.ts` imports, no src/ imports.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OidcIssuer, startOidcIssuer } from '../test/support/oidc-issuer.ts';
import { createTestPki } from '../test/support/pki.ts';
import { header, percentile, row, runsFromEnv, type Sample, type Summary, series } from './measure.ts';

const bin = fileURLToPath(new URL('../bin/cortex-sso.js', import.meta.url));
const runs = runsFromEnv(10);
const ISSUERS = 5;

/** The child's environment: no proxy, no colour, no saved profile; the test root counts as public. */
function childEnv(caFile: string, configDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(https?_proxy|no_proxy|all_proxy|force_color|ci)$/i.test(k)) delete env[k];
  }
  return { ...env, NO_COLOR: '1', CORTEX_SSO_PUBLIC_CA_FILE: caFile, CORTEX_SSO_CONFIG_DIR: configDir };
}

interface Report {
  ok: boolean;
  results: Array<{
    issuer: string;
    checks: Array<{ id: string; status: string; code?: string; durationMs?: number }>;
  }>;
}

/** durationMs of each check id, over every run seen. */
const checkTimes = new Map<string, number[]>();

/** Throws unless the run exited `exitCode` with one JSON document for `issuers` issuers. */
function expectRun(exitCode: number, issuers: number, record = false): (s: Sample, warmUp: boolean) => void {
  return (s, warmUp) => {
    let doc: Report | undefined;
    try {
      doc = JSON.parse(s.stdout) as Report;
    } catch {
      doc = undefined;
    }
    const problems = doc?.results
      .flatMap((r) => r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}:${c.status}:${c.code}`))
      .join(', ');
    if (s.exitCode !== exitCode || doc?.results.length !== issuers) {
      throw new Error(
        `diagnose exited ${s.exitCode} (expected ${exitCode}) with ${doc ? `${doc.results.length} result(s), not passing: ${problems || 'none'}` : `no JSON: ${s.stdout.slice(0, 300)}`}\n${s.stderr.slice(0, 500)}`,
      );
    }
    if (record && !warmUp) {
      for (const c of doc.results.flatMap((r) => r.checks)) {
        if (typeof c.durationMs === 'number')
          checkTimes.set(c.id, [...(checkTimes.get(c.id) ?? []), c.durationMs]);
      }
    }
  };
}

const closers: Array<() => Promise<void>> = [];
try {
  const pki = await createTestPki('cortex-sso Bench Root CA');
  const dir = mkdtempSync(join(tmpdir(), 'cortex-sso-bench-'));
  closers.push(async () => rmSync(dir, { recursive: true, force: true }));
  const caFile = join(dir, 'root.pem');
  writeFileSync(caFile, pki.root.certPem);
  const configDir = join(dir, 'config');

  // Five custom authorization servers, each its own provider on its own port, like five Okta orgs.
  const issuers: OidcIssuer[] = [];
  for (let i = 0; i < ISSUERS; i++) {
    const issuer = await startOidcIssuer({
      tls: pki.leaf,
      path: i === 0 ? '/oauth2/default' : `/oauth2/aus${i}`,
      clients: [
        {
          clientId: `0oabench${i}`,
          clientSecret: randomBytes(30).toString('base64url'),
          redirectUris: ['https://cortexapp.auth0.com/login/callback'],
        },
      ],
    });
    closers.push(() => issuer.close());
    issuers.push(issuer);
  }
  const first = issuers[0] as OidcIssuer;
  const env = childEnv(caFile, configDir);
  const diagnose = (list: OidcIssuer[]): string[] => [
    bin,
    'diagnose',
    ...list.flatMap((i) => ['--issuer', i.issuer]),
    '--json',
  ];

  console.log(
    `node ${process.version}, ${runs} runs each (first run discarded as warm-up); issuers on 127.0.0.1, e.g. ${first.issuer}\n`,
  );
  console.log(header());
  const show = (name: string, s: Summary): Summary => {
    console.log(row(name, s));
    return s;
  };
  // What every run pays before any network work: the issuer-url check refuses the admin console.
  const fixed = show(
    'diagnose, no network (fixed cost)',
    await series([bin, 'diagnose', '--issuer', 'https://acme-admin.okta.com', '--json'], runs, {
      env,
      check: expectRun(1, 1),
    }),
  );
  /** CPU this process (the issuers) spends per measured run of `series`. */
  const issuerCpu = new Map<string, number>();
  const measured = async (name: string, list: OidcIssuer[]): Promise<Summary> => {
    const before = process.cpuUsage();
    const s = await series(diagnose(list), runs, {
      env,
      check: expectRun(0, list.length, list.length === 1),
    });
    const used = process.cpuUsage(before);
    issuerCpu.set(name, (used.user + used.system) / 1000 / (runs + 1));
    return show(name, s);
  };
  const one = await measured('diagnose, 1 healthy issuer', [first]);
  const five = await measured(`diagnose, ${ISSUERS} healthy issuers at once`, issuers);

  const netOne = one.meanMs - fixed.meanMs;
  const netFive = five.meanMs - fixed.meanMs;
  console.log(
    `\n${ISSUERS} issuers vs 1: ${(five.meanMs / one.meanMs).toFixed(2)}x the wall time (sequential checks would approach ${ISSUERS}x);`,
  );
  console.log(
    `network part (minus the fixed cost): ${netOne.toFixed(1)} ms for 1, ${netFive.toFixed(1)} ms for ${ISSUERS} = ${(netFive / netOne).toFixed(2)}x.`,
  );
  console.log(
    `CPU per run: the CLI ${one.meanCpuMs.toFixed(0)} ms for 1, ${five.meanCpuMs.toFixed(0)} ms for ${ISSUERS}; the issuers (this process, one event loop) ${[
      ...issuerCpu.values(),
    ]
      .map((ms) => `${ms.toFixed(0)} ms`)
      .join(' and ')}.`,
  );
  console.log(
    "When the CLI's CPU time approaches its wall time, the run is bound by its single thread (TLS, parsing), not by waiting on the network.",
  );
  console.log('\nper check, 1 issuer (the JSON durationMs; checks overlap where their prerequisites allow):');
  console.log(
    [...checkTimes]
      .map(
        ([id, times]) =>
          `  ${id.padEnd(12)} p50 ${percentile(
            [...times].sort((a, b) => a - b),
            50,
          )} ms`,
      )
      .join('\n'),
  );
} finally {
  await Promise.allSettled(closers.reverse().map((close) => close()));
}
