// The entry point: parse, run, exit code. The ONLY module that reads process.argv/env and the real
// streams. The commands are in src/commands/ (the tree: commands/index.ts), their dependencies come
// from src/factory.ts, and how results and errors look is decided in src/report/.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { addCommands } from './commands/index.js';
import { createFactory, type Factory, type FactoryOverrides } from './factory.js';
import type { Io } from './io.js';
import { EXIT, redactUsageError, reportError } from './report/errors.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function buildProgram(f: Factory): Command {
  const program = new Command();
  program
    .name('cortex-sso')
    .description('Set up and debug single sign-on between Okta and Cortex.')
    .version(version(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => f.io.stdout.write(s),
      writeErr: (s) => f.io.stderr.write(s),
      outputError: (s, w) => w(redactUsageError(s)),
    })
    .exitOverride();

  program.addHelpText(
    'after',
    `
Exit codes:
  0    success (warnings allowed unless --strict)
  1    a check failed, or the operation failed
  2    usage error: unknown flag, missing or malformed input
  130  interrupted (Ctrl+C); nothing half-written

Examples:
  cortex-sso diagnose --issuer https://acme.okta.com
  cortex-sso connector set --type okta
  cortex-sso completion bash > ~/.local/share/bash-completion/completions/cortex-sso

Docs: README.md and docs/ (codes: docs/codes.md, JSON: docs/json-output.md)`,
  );
  addCommands(program, f);
  return program;
}

/** The command tree alone (nothing runs): for completion scripts and the README's command reference. */
export function commandTree(): Command {
  const io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {} };
  return buildProgram(createFactory(io));
}

/**
 * Run the CLI with the given arguments (without node and script) and streams; returns the exit code.
 * `overrides` hands in a dependency instead of the real one (tests: a keychain that counts its reads).
 */
export async function run(
  args: readonly string[],
  io: Io,
  overrides: FactoryOverrides = {},
): Promise<number> {
  const f = createFactory(io, overrides);
  try {
    await buildProgram(f).parseAsync([...args], { from: 'user' });
    return f.exitCode;
  } catch (err) {
    return await reportError(io, args, err, f.format);
  } finally {
    await f.close();
  }
}

/** The process entry point used by bin/cortex-sso.js. */
export async function main(): Promise<void> {
  const io: Io = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    // A long-running command (sandbox) closes its servers first instead of exiting at once.
    untilStopped: () =>
      new Promise((resolve) => {
        process.removeAllListeners('SIGINT');
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      }),
  };
  process.on('SIGINT', () => {
    process.stderr.write('\ninterrupted\n');
    process.exit(EXIT.INTERRUPTED);
  });
  // A reader that went away (`cortex-sso diagnose | head -1`): the rest of the output has nowhere to
  // go. Stop writing, without a stack trace, and finish with the command's own exit code.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  process.exitCode = await run(process.argv.slice(2), io);
}
