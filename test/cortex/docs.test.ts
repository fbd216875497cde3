// docs/api.md and docs/openapi.yaml describe the same contract as src/cortex/types.ts.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { API_ERROR_TYPES, CONNECTOR_PATH, CONNECTOR_VALIDATE_PATH } from '../../src/cortex/types.js';

const root = new URL('../../', import.meta.url);
const openapi = await readFile(new URL('docs/openapi.yaml', root), 'utf8');
const prose = await readFile(new URL('docs/api.md', root), 'utf8');

describe('API docs', () => {
  it('openapi.yaml is OpenAPI 3.1 with exactly the two connector paths', () => {
    expect(openapi).toMatch(/^openapi: 3\.1\.\d+$/m);
    const paths = [...openapi.matchAll(/^ {2}(\/api\/\S+):$/gm)].map((m) => m[1]);
    expect(paths).toEqual([CONNECTOR_PATH, CONNECTOR_VALIDATE_PATH]);
  });

  it('lists every error type in the schema and in the prose', () => {
    expect(openapi).toContain(`enum: [${API_ERROR_TYPES.join(', ')}]`);
    for (const t of API_ERROR_TYPES) expect(prose).toContain(`\`${t}\``);
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
});
