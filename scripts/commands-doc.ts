// Regenerates README.md's command reference (between the commands:start/end markers) from the
// commander tree in the built CLI: `npm run docs:commands`. test/docs.test.ts fails when it drifts.
import { readFileSync, writeFileSync } from 'node:fs';

// The built modules (plain node cannot load src/, whose imports name .js files), typed from src/.
const { commandTree }: typeof import('../src/cli.ts') = await import(`${'../dist/cli.js'}`);
const { commandReference, withReference }: typeof import('../src/commands/completion.ts') = await import(
  `${'../dist/commands/completion.js'}`
);

const README = new URL('../README.md', import.meta.url);
const before = readFileSync(README, 'utf8');
const after = withReference(before, commandReference(commandTree()));
if (after !== before) writeFileSync(README, after);
process.stdout.write(after === before ? 'README.md is up to date\n' : 'wrote README.md\n');
