// `cortex-sso sandbox` as a user runs it: the built binary in one process, its JSON read from stdout
// while it keeps serving, then the other commands pointed at it through the binary as well.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, baseEnv, runCli, tempDir } from '../support/cli.ts';

/** No D-Bus there, so no Secret Service: nothing reads or writes a keychain. */
const NO_KEYCHAIN_BUS = 'unix:path=/nonexistent/cortex-sso-sandbox-test';

interface SandboxDoc {
  schemaVersion: number;
  ok: boolean;
  cortexApi: { url: string; port: number; apiKey: string; dataFile: string };
  issuer: { url: string; port: number; clientId: string; clientSecret: string; redirectUri: string };
  ca: { file: string; created: boolean };
  dir: string;
  envFile: string;
  env: Record<string, string>;
  created: boolean;
}

interface Running {
  child: ChildProcessWithoutNullStreams;
  doc: SandboxDoc;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function sandbox(args: string[], configDir: string, cwd: string): Promise<Running> {
  assertBuilt();
  const child = spawn(process.execPath, [BIN, 'sandbox', '--json', ...args], {
    cwd,
    env: {
      ...baseEnv(),
      CI: 'true',
      CORTEX_SSO_CONFIG_DIR: configDir,
      DBUS_SESSION_BUS_ADDRESS: NO_KEYCHAIN_BUS,
    },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<Awaited<Running['exited']>>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no JSON within 30 s; stderr: ${stderr}`)), 30_000);
    child.stdout.on('data', (d: string) => {
      stdout += d;
      try {
        const doc = JSON.parse(stdout) as SandboxDoc;
        clearTimeout(timer);
        resolve({ child, doc, exited });
      } catch {
        // not complete yet
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited (${code}) before printing its settings: ${stderr}`));
    });
  });
}

async function stop(r: Running, signal: NodeJS.Signals = 'SIGINT') {
  r.child.kill(signal);
  return r.exited;
}

describe('cortex-sso sandbox', () => {
  it('prints its settings as JSON, serves them, and connector set works against it', async () => {
    const configDir = join(tempDir('cortex-sso-sbx-'), 'config');
    const cwd = tempDir('cortex-sso-sbx-cwd-');
    const r = await sandbox([], configDir, cwd);
    const { doc } = r;
    expect(doc).toMatchObject({ schemaVersion: 1, ok: true, created: true, ca: { created: true } });
    expect(doc.issuer.clientId).toMatch(/^0oa[A-Za-z0-9]{17}$/);
    expect(doc.issuer.redirectUri).toBe('https://cortexapp.auth0.com/login/callback');
    expect(doc.cortexApi.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(doc.issuer.url).toBe(`https://localhost:${doc.issuer.port}`);
    expect(doc.env).toMatchObject({
      CORTEX_BASE_URL: doc.cortexApi.url,
      CORTEX_API_KEY: doc.cortexApi.apiKey,
      CORTEX_SSO_ISSUER: doc.issuer.url,
      CORTEX_SSO_CLIENT_ID: doc.issuer.clientId,
      CORTEX_SSO_CLIENT_SECRET: doc.issuer.clientSecret,
      CORTEX_SSO_PUBLIC_CA_FILE: doc.ca.file,
    });
    expect(doc.dir).toBe(join(configDir, 'sandbox'));

    const set = await runCli(['connector', 'set', '--type', 'okta', '--yes', '--no-store', '--json'], {
      env: {
        ...doc.env,
        CI: 'true',
        CORTEX_SSO_CONFIG_DIR: configDir,
        CORTEX_CONFIG: join(cwd, 'no-cortex-cli-config'),
        DBUS_SESSION_BUS_ADDRESS: NO_KEYCHAIN_BUS,
      },
      timeoutMs: 60_000,
    });
    expect(set.code, set.stdout + set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ ok: true, pushed: true });

    // The API lists the connection, read with the sandbox's key.
    const list = (await (
      await fetch(`${doc.cortexApi.url}/api/v1/sso/configurations`, {
        headers: { authorization: `Bearer ${doc.cortexApi.apiKey}` },
      })
    ).json()) as { configurations: Array<Record<string, unknown>> };
    expect(list.configurations).toEqual([
      expect.objectContaining({ id: doc.issuer.clientId, issuerUri: doc.issuer.url, connectionType: 'OKTA' }),
    ]);

    const end = await stop(r);
    expect(end.code).toBe(130);
    expect(end.stderr).toContain('sandbox stopped');

    // Everything it keeps is in the config directory, 0600; nothing in the working directory
    // (connector set's config.json lives in the config dir too).
    expect(readdirSync(cwd)).toEqual([]);
    const kept = readdirSync(doc.dir).sort();
    expect(kept).toEqual(['ca-key.pem', 'ca.pem', 'cortex-api.json', 'sandbox.json']);
    for (const f of kept) expect((statSync(join(doc.dir, f)).mode & 0o777).toString(8), f).toBe('600');
    expect(readFileSync(join(doc.dir, 'cortex-api.json'), 'utf8')).toContain(doc.issuer.clientId);
  }, 120_000);

  it('reuses its CA, client and key on the next start; --reset replaces them; SIGTERM stops it too', async () => {
    const configDir = join(tempDir('cortex-sso-sbx-'), 'config');
    const cwd = tempDir('cortex-sso-sbx-cwd-');
    const first = await sandbox([], configDir, cwd);
    const ca1 = readFileSync(first.doc.ca.file, 'utf8');
    expect((await stop(first, 'SIGTERM')).code).toBe(130);

    const second = await sandbox([], configDir, cwd);
    expect(second.doc).toMatchObject({ created: false, ca: { created: false } });
    expect(readFileSync(second.doc.ca.file, 'utf8')).toBe(ca1);
    expect(second.doc.issuer.clientId).toBe(first.doc.issuer.clientId);
    expect(second.doc.cortexApi.apiKey).toBe(first.doc.cortexApi.apiKey);
    // The env file exists while it runs (for `eval "$(cat ...)"`), 0600.
    expect((statSync(second.doc.envFile).mode & 0o777).toString(8)).toBe('600');
    expect(readFileSync(second.doc.envFile, 'utf8')).toContain(
      `export CORTEX_SSO_CLIENT_ID=${second.doc.issuer.clientId}\n`,
    );
    expect((await stop(second)).code).toBe(130);

    const reset = await sandbox(['--reset'], configDir, cwd);
    expect(reset.doc).toMatchObject({ created: true, ca: { created: true } });
    expect(readFileSync(reset.doc.ca.file, 'utf8')).not.toBe(ca1);
    expect(reset.doc.issuer.clientId).not.toBe(first.doc.issuer.clientId);
    expect(reset.doc.issuer.clientSecret).not.toBe(first.doc.issuer.clientSecret);
    expect(reset.doc.cortexApi.apiKey).not.toBe(first.doc.cortexApi.apiKey);
    const end = await stop(reset);
    expect(end.code).toBe(130);
    expect(readdirSync(cwd)).toEqual([]);
  }, 120_000);

  it('a second sandbox on the same directory is refused and leaves the first untouched; a stale pid file is taken over', async () => {
    const configDir = join(tempDir('cortex-sso-sbx-'), 'config');
    const cwd = tempDir('cortex-sso-sbx-cwd-');
    const first = await sandbox([], configDir, cwd);
    const envBefore = readFileSync(first.doc.envFile, 'utf8');
    for (const args of [['sandbox'], ['sandbox', '--reset']]) {
      const r = await runCli(args, { env: { CORTEX_SSO_CONFIG_DIR: configDir }, timeoutMs: 30_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`a sandbox already runs from ${first.doc.dir} (process ${first.child.pid})`);
    }
    // --reset did not replace what the running one serves.
    expect(readFileSync(first.doc.envFile, 'utf8')).toBe(envBefore);
    expect(readFileSync(first.doc.ca.file, 'utf8')).toContain('BEGIN CERTIFICATE');
    expect((await stop(first)).code).toBe(130);

    // A sandbox killed outright leaves its pid file behind; the next one starts anyway.
    const killed = await sandbox([], configDir, cwd);
    expect((await stop(killed, 'SIGKILL')).signal).toBe('SIGKILL');
    expect(readFileSync(join(killed.doc.dir, 'sandbox.pid'), 'utf8').trim()).toBe(String(killed.child.pid));
    const next = await sandbox([], configDir, cwd);
    expect(next.doc.issuer.clientId).toBe(killed.doc.issuer.clientId);
    expect((await stop(next)).code).toBe(130);
  }, 120_000);

  it('a port in use is a usage error naming the flag', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (busy.address() as AddressInfo).port;
      const r = await runCli(['sandbox', '--port-issuer', String(port)], {
        env: { CORTEX_SSO_CONFIG_DIR: join(tempDir('cortex-sso-sbx-'), 'config') },
        timeoutMs: 30_000,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--port-issuer ${port}: the port is in use`);
    } finally {
      busy.close();
    }
  });

  it('refuses a malformed port as a usage error', async () => {
    const r = await runCli(['sandbox', '--port-api', 'x'], {
      env: { CORTEX_SSO_CONFIG_DIR: join(tempDir('cortex-sso-sbx-'), 'config') },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port-api expects a port number');
  });
});
