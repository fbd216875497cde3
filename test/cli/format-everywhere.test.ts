// One output contract for every command that prints a result: `--format json` is the same as `--json`
// (one JSON document with schemaVersion and ok), `--format text` is the default, and `--json` with
// another `--format` is a usage error, on the configuration commands as on the checklists.
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.ts';

const NO_KEYCHAIN = 'unix:path=/nonexistent/cortex-sso-format-bus';
const env = () => ({
  CORTEX_SSO_CONFIG_DIR: tempDir('cortex-sso-format-'),
  DBUS_SESSION_BUS_ADDRESS: NO_KEYCHAIN,
  CORTEX_API_KEY: 'format-test-key-0000',
  // A port nothing listens on: the commands still produce their document (with the error inside).
  CORTEX_BASE_URL: 'http://127.0.0.1:9',
});

describe('--format json is --json on every command with a result', () => {
  it.each([
    [['auth', 'status'], 0],
    [['connector', 'show'], 1],
  ])('%j --format json prints the same document as --json', async (args, exit) => {
    const e = env();
    const a = await runCli([...args, '--format', 'json'], { env: e });
    const b = await runCli([...args, '--json'], { env: e });
    expect(a.code).toBe(exit);
    expect(b.code).toBe(exit);
    const docA = JSON.parse(a.stdout);
    expect(docA).toMatchObject({ schemaVersion: 1, ok: exit === 0 });
    expect(Object.keys(docA)).toEqual(Object.keys(JSON.parse(b.stdout)));
  });

  it('--format=json on an error prints the JSON error document', async () => {
    const r = await runCli(['connector', 'delete', '--yes', '--format=json'], { env: env() });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      schemaVersion: 1,
      ok: false,
      error: { code: 'API_UNAVAILABLE' },
    });
  });

  it('--format text is the default, and --json with --format text is a usage error', async () => {
    const text = await runCli(['auth', 'status', '--format', 'text'], { env: env() });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Cortex API key from CORTEX_API_KEY/);
    const both = await runCli(['auth', 'status', '--json', '--format', 'text'], { env: env() });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--json and --format text conflict/);
  });

  it('a checklist format on a configuration command is refused, naming the choices', async () => {
    const r = await runCli(['connector', 'show', '--format', 'junit'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are text, json/);
  });
});
