// docs/api.md and docs/openapi.yaml describe the routes and error types the reference server serves.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { OIDC_CONFIGURATIONS_PATH, SSO_CONFIGURATIONS_PATH } from '../../src/cortex/types.js';
import { ERROR_TYPES } from '../../src/sandbox/cortex-api.js';

const root = new URL('../../', import.meta.url);
const openapi = await readFile(new URL('docs/openapi.yaml', root), 'utf8');
const prose = await readFile(new URL('docs/api.md', root), 'utf8');

describe('API docs', () => {
  it('openapi.yaml is OpenAPI 3.1 with exactly the three routes of Cortex CLI', () => {
    expect(openapi).toMatch(/^openapi: 3\.1\.\d+$/m);
    const paths = [...openapi.matchAll(/^ {2}(\/api\/\S+):$/gm)].map((m) => m[1]);
    expect(paths).toEqual([
      SSO_CONFIGURATIONS_PATH,
      OIDC_CONFIGURATIONS_PATH,
      `${SSO_CONFIGURATIONS_PATH}/{connectionId}`,
    ]);
    for (const p of paths) expect(prose).toContain(`\`${p}\``);
  });

  it('lists every error type the server sends, in the schema and in the prose', () => {
    expect(openapi).toContain(`enum: [${ERROR_TYPES.join(', ')}]`);
    for (const t of ERROR_TYPES) expect(prose).toContain(`\`${t}\``);
  });

  it('every $ref points at a defined component', () => {
    const defined = new Set<string>();
    let section = '';
    for (const line of openapi.split('\n')) {
      const sec = /^ {2}(\w+):$/.exec(line);
      if (sec?.[1]) section = sec[1];
      const name = /^ {4}([\w-]+):/.exec(line);
      if (name?.[1] && section) defined.add(`${section}/${name[1]}`);
    }
    const refs = [...openapi.matchAll(/\$ref: '#\/components\/([^']+)'/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) expect(defined, r).toContain(r);
  });

  it('names the source commit and the sandbox start command', () => {
    for (const doc of [prose, openapi]) {
      expect(doc).toContain('8e94fbf');
      expect(doc).toContain('node dist/sandbox/serve.js');
    }
  });
});
