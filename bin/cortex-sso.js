#!/usr/bin/env node
// Thin launcher: enable Node's on-disk compile cache (faster warm starts), then run the built CLI.
import module from 'node:module';

// Fast path: `--version` alone needs neither the command tree nor commander.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  module.enableCompileCache?.();
  const { main } = await import('../dist/cli.js');
  await main();
}
