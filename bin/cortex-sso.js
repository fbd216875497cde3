#!/usr/bin/env node
// Thin launcher: check the Node version before anything else loads (plain JS that old Node can
// run), answer `--version` without the command tree, enable Node's on-disk compile cache (faster
// warm starts), then run the built CLI: dist/cli.cjs, the bundle scripts/bundle.ts makes (CommonJS,
// loaded with require: see docs/performance.md).
import { readFileSync } from 'node:fs';
import module from 'node:module';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const engines = pkg.engines.node;
const want = (/(\d+)\.(\d+)/.exec(engines) || [0, 0, 0]).slice(1).map(Number);
const have = process.versions.node.split('.').map(Number);
if (have[0] < want[0] || (have[0] === want[0] && have[1] < want[1])) {
  process.stderr.write(
    `cortex-sso: Node.js ${process.versions.node} is too old; it needs Node.js ${engines} (24 LTS recommended). Install it from https://nodejs.org/ or with your version manager (\`nvm install\` reads .nvmrc), then run cortex-sso again.\n`,
  );
  process.exit(2);
}

// Fast path: `--version` alone needs neither the command tree nor commander.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${pkg.version}\n`);
} else {
  module.enableCompileCache?.();
  // No top-level await: Node releases older than 14.8 must still reach the version check above.
  module
    .createRequire(import.meta.url)('../dist/cli.cjs')
    .main();
}
