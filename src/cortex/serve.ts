/**
 * Runs the reference Cortex API (the project's sandbox for demos and CI-like use):
 *
 *   CORTEX_REF_API_TOKEN=... node dist/cortex/serve.js --port 8787 --data-file ./api.json
 *
 * The token comes only from the environment (never argv, which other users can read in `ps`).
 * Prints the URL on stdout, one access-log line per request on stderr with --log.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type ApiServer, startApiServer } from './server.js';

export interface ServeIo {
  argv: string[];
  env: Readonly<Record<string, string | undefined>>;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

const USAGE = `Usage: CORTEX_REF_API_TOKEN=<token> node dist/cortex/serve.js [options]

Options:
  --port <n>         port to listen on (default 8787; 0 picks a free one)
  --host <addr>      address to bind (default 127.0.0.1)
  --data-file <path> JSON file that keeps the state across restarts (default: in memory)
  --ca-file <path>   extra trusted root(s), PEM, for /validate's discovery fetch
  --validate-timeout <ms>  timeout of /validate's discovery fetch (default 5000)
  --log              one access-log line per request on stderr

Environment:
  CORTEX_REF_API_TOKEN            bearer token(s) with full access, comma-separated (required)
  CORTEX_REF_API_READONLY_TOKEN   bearer token(s) that get 403 on PUT/DELETE, comma-separated
`;

/** Starts the server; resolves to it, or to an exit status after printing help or a usage error. */
export async function serve(io: ServeIo): Promise<ApiServer | { exitCode: number }> {
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
  const tokens = splitTokens(io.env.CORTEX_REF_API_TOKEN);
  if (tokens.length === 0) {
    io.stderr.write(`error: set CORTEX_REF_API_TOKEN to the bearer token clients must send\n\n${USAGE}`);
    return { exitCode: 2 };
  }
  const port = Number(values.port ?? '8787');
  const validateTimeoutMs = Number(values['validate-timeout'] ?? '5000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr.write(`error: --port must be an integer 0-65535\n`);
    return { exitCode: 2 };
  }
  if (!Number.isInteger(validateTimeoutMs) || validateTimeoutMs <= 0) {
    io.stderr.write(`error: --validate-timeout must be a positive integer (ms)\n`);
    return { exitCode: 2 };
  }
  const ca = values['ca-file'] ? [await readFile(values['ca-file'], 'utf8')] : undefined;
  const server = await startApiServer({
    tokens,
    readOnlyTokens: splitTokens(io.env.CORTEX_REF_API_READONLY_TOKEN),
    host: values.host ?? '127.0.0.1',
    port,
    validateTimeoutMs,
    ...(values['data-file'] ? { dataFile: resolve(values['data-file']) } : {}),
    ...(ca ? { ca } : {}),
    ...(values.log
      ? { log: (line: string) => io.stderr.write(`${new Date().toISOString()} ${line}\n`) }
      : {}),
  });
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
      'ca-file': { type: 'string' },
      'validate-timeout': { type: 'string' },
      log: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function splitTokens(v: string | undefined): string[] {
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
