// Fidelity you can audit: every body under test/fixtures/ is named, with its public source, in its
// folder's source list (test/fixtures/README.md says which). A fixture added without one fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OKTA_NOT_FOUND } from '../src/sandbox/issuer.ts';

const root = new URL('./fixtures/', import.meta.url);
const listsOf: Record<string, string[]> = { okta: ['SOURCES.md', 'README.md'], cortex: ['SOURCES.md'] };

describe('test/fixtures', () => {
  it('has a README naming each folder and its source list', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    for (const [folder, lists] of Object.entries(listsOf)) {
      for (const list of lists) expect(readme).toContain(`${folder}/${list}`);
    }
  });

  for (const [folder, lists] of Object.entries(listsOf)) {
    it(`names every fixture of ${folder}/ in its source list`, () => {
      const text = lists.map((l) => readFileSync(new URL(`${folder}/${l}`, root), 'utf8')).join('\n');
      const fixtures = readdirSync(new URL(`${folder}/`, root)).filter((f) => !lists.includes(f));
      expect(fixtures.length).toBeGreaterThan(3);
      const unlisted = fixtures.filter((f) => !text.includes(`\`${f}\``) && !text.includes(f));
      expect(unlisted, `fixtures without a source in ${folder}/`).toEqual([]);
    });
  }

  it("the sandbox's Okta not-found body is the cited fixture, byte for byte once parsed", () => {
    const fixture = JSON.parse(readFileSync(new URL('okta/not-found-E0000022.json', root), 'utf8'));
    expect(JSON.parse(OKTA_NOT_FOUND)).toEqual(fixture);
  });
});
