/**
 * Runs the reference Cortex SSO API (the project's sandbox for demos and hand tests):
 *
 *   CORTEX_REF_API_KEY=... node dist/sandbox/serve.js --port 8787
 *
 * The keys come only from the environment (never argv, which other users can read in `ps`). State
 * is in memory unless --data-file names a file. Prints the URL on stdout, and with --log one
 * access-log line per request on stderr (never bodies, keys or secrets).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type CortexApi, startCortexApi } from './cortex-api.js';

export interface ServeIo {
  argv: string[];
  env: Readonly<Record<string, string | undefined>>;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

const USAGE = `Usage: CORTEX_REF_API_KEY=<key> node dist/sandbox/serve.js [options]

Options:
  --port <n>            port to listen on (default 8787; 0 picks a free one)
  --host <addr>         address to bind (default 127.0.0.1)
  --data-file <path>    JSON file that keeps the state across restarts (default: in memory)
  --post-mode <mode>    what POST /api/v1/sso/oidc/configurations does to existing OIDC connections
                        of the same connectionType: add (default, keeps them) or replace (removes them)
  --log                 one access-log line per request on stderr
  -h, --help            this text

Environment:
  CORTEX_REF_API_KEY            API key(s) with full access, comma-separated (required)
  CORTEX_REF_API_READONLY_KEY   API key(s) that may only read (403 on POST and DELETE), comma-separated
`;

/** Starts the server; resolves to it, or to an exit status after printing help or a usage error. */
export async function serve(io: ServeIo): Promise<CortexApi | { exitCode: number }> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(io.argv).values;
  } catch (err) {
    io.stderr.write(`error: ${(err as Error).message}\n\n${USAGE}`);
    return { exitCode: 2 };
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return { exitCode: 0 };
  }
  const tokens = splitKeys(io.env.CORTEX_REF_API_KEY);
  if (tokens.length === 0) {
    io.stderr.write(`error: set CORTEX_REF_API_KEY to the API key clients must send\n\n${USAGE}`);
    return { exitCode: 2 };
  }
  const port = Number(values.port ?? '8787');
  if (!/^\d+$/.test(values.port ?? '8787') || port > 65535) {
    io.stderr.write('error: --port must be an integer 0-65535\n');
    return { exitCode: 2 };
  }
  const postMode = values['post-mode'] ?? 'add';
  if (postMode !== 'add' && postMode !== 'replace') {
    io.stderr.write('error: --post-mode must be add or replace\n');
    return { exitCode: 2 };
  }
  let server: CortexApi;
  try {
    server = await startCortexApi({
      tokens,
      readOnlyTokens: splitKeys(io.env.CORTEX_REF_API_READONLY_KEY),
      host: values.host ?? '127.0.0.1',
      port,
      postMode,
      ...(values['data-file'] ? { dataFile: resolve(values['data-file']) } : {}),
      ...(values.log
        ? { log: (line: string) => io.stderr.write(`${new Date().toISOString()} ${line}\n`) }
        : {}),
    });
  } catch (err) {
    io.stderr.write(`error: ${(err as Error).message}\n`);
    return { exitCode: 1 };
  }
  io.stdout.write(`${server.url}\n`);
  return server;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-file': { type: 'string' },
      'post-mode': { type: 'string' },
      log: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function splitKeys(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

// Entry point: run only when executed directly, not when imported by a test.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const server = await serve({
    argv: process.argv.slice(2),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
  });
  if ('exitCode' in server) {
    // This file is an entry point of its own (not part of the CLI): it reports its own exit status.
    process.exitCode = server.exitCode;
  } else {
    const stop = () => {
      void server.close();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
}
