// Writes the two enums of docs/json-schema.json that mirror a registry: `CheckId` (src/checks/index.ts)
// and `Code` (src/codes.ts), so a new check or code needs no hand edit of the schema.
// `node scripts/schema-enums.ts` rewrites them; test/json-schema.test.ts fails when they are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { CHECK_ORDER } from '../src/checks/index.ts';
import { CODES } from '../src/codes.ts';

const file = new URL('../docs/json-schema.json', import.meta.url);
const schema = JSON.parse(readFileSync(file, 'utf8')) as { $defs: Record<string, { enum?: unknown[] }> };
const set = (def: string, values: readonly string[]) => {
  const target = schema.$defs[def];
  if (!target) throw new Error(`docs/json-schema.json has no $defs.${def}`);
  target.enum = [...values];
};
set('CheckId', CHECK_ORDER);
set('Code', Object.keys(CODES));
writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
