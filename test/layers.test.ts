// The layer rules of docs/architecture.md, checked on the import statements of src/ (run by
// `npm test`): imports point one way, and `--help` loads nothing heavy.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

interface Edge {
  from: string;
  /** src-relative path (a.ts) for a module of src/, else the package name. */
  to: string;
  typeOnly: boolean;
  dynamic: boolean;
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function target(fromFile: string, spec: string): string {
  if (!spec.startsWith('.'))
    return spec.startsWith('node:')
      ? spec
      : spec
          .split('/')
          .slice(0, spec.startsWith('@') ? 2 : 1)
          .join('/');
  const abs = resolve(dirname(fromFile), spec).replace(/\.js$/, '.ts');
  const rel = relative(SRC, abs);
  return rel.startsWith('..') ? `../${relative(join(SRC, '..'), abs)}` : rel;
}

function edgesOf(file: string): Edge[] {
  const text = readFileSync(file, 'utf8');
  const from = relative(SRC, file);
  const out: Edge[] = [];
  for (const m of text.matchAll(/^(import|export)\s+(type\s+)?([^;]*?)\s+from\s+'([^']+)'/gms)) {
    // `import { type A, type B } from` is type-only too.
    const names = m[3] ?? '';
    const allTypes =
      /^\{[^}]*\}$/s.test(names.trim()) &&
      names
        .replace(/[{}\s]/g, '')
        .split(',')
        .filter(Boolean)
        .every((n) => n.startsWith('type'));
    out.push({ from, to: target(file, m[4] ?? ''), typeOnly: Boolean(m[2]) || allTypes, dynamic: false });
  }
  for (const m of text.matchAll(/^import\s+'([^']+)'/gm))
    out.push({ from, to: target(file, m[1] ?? ''), typeOnly: false, dynamic: false });
  for (const m of text.matchAll(/(?<![.\w])import\(\s*'([^']+)'\s*\)/g)) {
    // `import('x').T` in a type position is not a load.
    const after = text.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 1);
    const before = text.slice(Math.max(0, (m.index ?? 0) - 7), m.index);
    const typeOnly = after === '.' && !/await\s*$/.test(before);
    out.push({ from, to: target(file, m[1] ?? ''), typeOnly, dynamic: true });
  }
  return out;
}

const ALL = files(SRC).flatMap(edgesOf);
const values = ALL.filter((e) => !e.typeOnly);
const show = (es: Edge[]) => es.map((e) => `${e.from} -> ${e.to}`);

describe('layers', () => {
  it('sees the imports (sanity)', () => {
    expect(ALL.length).toBeGreaterThan(200);
    expect(values.some((e) => e.from === 'cli.ts' && e.to === 'commands/index.ts')).toBe(true);
  });

  it('report/ never imports commands/ values (type-only imports are fine)', () => {
    expect(show(values.filter((e) => e.from.startsWith('report/') && e.to.startsWith('commands/')))).toEqual(
      [],
    );
  });

  it('net/ never imports checks/ (not even types: checks sit on net)', () => {
    expect(show(ALL.filter((e) => e.from.startsWith('net/') && e.to.startsWith('checks/')))).toEqual([]);
  });

  it('checks do not import other checks: they share facts through Facts', () => {
    const registry = readFileSync(join(SRC, 'checks/index.ts'), 'utf8');
    const checkFiles = [...registry.matchAll(/import\('\.\/([a-z-]+)\.js'\)/g)].map(
      (m) => `checks/${m[1]}.ts`,
    );
    expect(checkFiles.length).toBeGreaterThan(10);
    const bad = values.filter(
      (e) => checkFiles.includes(e.from) && checkFiles.includes(e.to) && e.from !== e.to,
    );
    expect(show(bad)).toEqual([]);
  });

  it("a command's module is loaded only by its own definition (commands do not import commands)", () => {
    const commandModules = files(join(SRC, 'commands'))
      .filter((f) => f.endsWith('.command.ts'))
      .map((f) => relative(SRC, f).replace(/\.command\.ts$/, '.ts'))
      .filter((m) => existsSync(join(SRC, m)));
    expect(commandModules).toContain('commands/connector/set.ts');
    const bad = values.filter(
      (e) => commandModules.includes(e.to) && e.from !== e.to.replace(/\.ts$/, '.command.ts'),
    );
    expect(show(bad)).toEqual([]);
  });

  it('nothing under src/ imports tests or test doubles; sandbox/ only from the sandbox command', () => {
    expect(show(ALL.filter((e) => e.to.startsWith('../test/')))).toEqual([]);
    const bad = values.filter(
      (e) =>
        e.to.startsWith('sandbox/') &&
        !e.from.startsWith('sandbox/') &&
        !/^commands\/sandbox(\.|\/)/.test(e.from),
    );
    expect(show(bad)).toEqual([]);
  });

  it('--help stays cheap: nothing cli.ts loads at start imports a heavy module', () => {
    const HEAVY = [
      'undici',
      'conf',
      'ora',
      '@inquirer/prompts',
      '@napi-rs/keyring',
      'openid-client',
      'chalk',
    ];
    const seen = new Set<string>();
    const heavy: string[] = [];
    const visit = (mod: string, path: string[]) => {
      if (seen.has(mod)) return;
      seen.add(mod);
      for (const e of values.filter((x) => x.from === mod && !x.dynamic)) {
        if (HEAVY.includes(e.to)) heavy.push([...path, mod, e.to].join(' -> '));
        else if (e.to.endsWith('.ts') && !e.to.startsWith('..')) visit(e.to, [...path, mod]);
      }
    };
    visit('cli.ts', []);
    expect(seen.has('commands/connector/set.command.ts')).toBe(true);
    expect(heavy).toEqual([]);
  });
});
