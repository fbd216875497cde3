// Start-up benchmark: how long a user waits for commands that do no network work, and the
// peak memory of the process. Run: `npm run bench` (after `npm run build`). Reports, never asserts:
// compare numbers between commits on the same machine. hyperfine gives finer statistics:
//   hyperfine -N --warmup 3 'node bin/cortex-sso.js --version'
import { fileURLToPath } from 'node:url';
import { header, row, runsFromEnv, series } from './measure.ts';

const bin = fileURLToPath(new URL('../bin/cortex-sso.js', import.meta.url));
const runs = runsFromEnv(20);

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

console.log(`node ${process.version}, ${runs} runs each (first run discarded as warm-up)\n`);
console.log(header());
for (const [name, args] of cases) {
  console.log(row(name, await series(args, runs)));
}
