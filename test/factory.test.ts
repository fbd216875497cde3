// The Factory (src/factory.ts) as commands get it: lazy, one instance per dependency, one close().
// Built here with the in-memory keychain and a real local Cortex API (src/sandbox/cortex-api.ts).
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as show } from '../src/commands/connector/show.js';
import { createFactory } from '../src/factory.js';
import type { Io } from '../src/io.js';
import { type CortexApi, startCortexApi } from '../src/sandbox/cortex-api.js';
import { tempDir } from './support/cli.ts';
import { createMemoryKeychain } from './support/memory-keychain.ts';

const TOKEN = 'factory-test-token';
let api: CortexApi;

beforeAll(async () => {
  api = await startCortexApi({ tokens: [TOKEN] });
});
afterAll(async () => {
  await api?.close();
});

function io(env: Record<string, string | undefined>): Io {
  return { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env };
}

describe('createFactory', () => {
  it('builds each dependency once, on first use', async () => {
    const f = createFactory(io({ CORTEX_SSO_CONFIG_DIR: tempDir() }), { keychain: createMemoryKeychain() });
    expect(await f.config()).toBe(await f.config());
    expect(await f.keychain()).toBe(await f.keychain());
    expect(f.exitCode).toBe(0);
    await f.close();
  });

  it('hands the connector commands their dependencies: never interactive without a terminal', async () => {
    const dir = tempDir();
    const f = createFactory(
      io({
        CORTEX_SSO_CONFIG_DIR: dir,
        CORTEX_API_KEY: TOKEN,
        CORTEX_BASE_URL: api.url,
        CORTEX_CONFIG: `${dir}/no-cortex-cli-config`,
      }),
      { keychain: createMemoryKeychain() },
    );
    try {
      const deps = await f.connectorDeps(false);
      expect(deps.interactive).toBe(false);
      expect(deps.keychain).toBe(await f.keychain());
      // A real command over a real local API, through the factory's client.
      const result = await show({}, deps);
      expect(result).toMatchObject({ profile: 'default', apiUrl: api.url });
      expect(api.requests.some((r) => r.method === 'GET')).toBe(true);
    } finally {
      await f.close();
    }
  });
});
