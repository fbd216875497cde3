#!/usr/bin/env node
// Thin launcher: enable Node's on-disk compile cache (faster warm starts), then run the built CLI.
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('../dist/cli.js');
await main();
