// The CLI as a few CommonJS files, for start-up time (issue 8, docs/performance.md). `npm run build`
// runs this after tsc, from tsc's output in dist/, so one compiler decides what the code means.
//
//   dist/cli.cjs            the entry: the command tree, commander, the presentation
//   dist/chunks/*.cjs       what loads on demand: the checklist (checks + network layer) in one
//                           chunk, each command's work and each heavy dependency behind it
//
// Why it pays (measured with hyperfine): Node's ES module loader resolves, links and evaluates each of
// ~80 files on a diagnose run separately, and an ES `import` of a built-in module (node:fs,
// node:process, node:tls ...) builds a facade that reads every export, which runs lazy getters that
// load dozens more internal modules (fs/promises, readline, worker_threads, perf_hooks ...).
// CommonJS `require` of a built-in does neither. commander is bundled for the same reason (its ESM
// build imports node:fs, node:process and node:child_process); its licence goes to
// dist/THIRD-PARTY-NOTICES.md. Every other dependency stays an external, loaded where it is today
// (ESM-only ones through esmOnlyExternals() below).
//
// The build fails when the entry would load the checklist chunk up front (`--help` must not pay for
// TLS, crypto and the checks), or when that chunk would load a package up front (undici, say).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type OutputChunk, type Plugin } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
/** Bundled dependencies (pure JavaScript on the start-up path). */
const BUNDLED = /^commander(\/|$)/;

// diagnose's checks (from the registry) and what runs them share one chunk; the checks only other
// checklists run (they reach the Cortex API client, undici, the Okta management client) stay in
// chunks of their own, loaded as today.
const registry = (await import(join(dist, 'checks', 'index.js'))) as typeof import('../src/checks/index.ts');
const CHECKLIST_MODULES = new Set([
  ...registry.checkIds('diagnose').map((id) => `checks/${id}.js`),
  ...['runner', 'checklist', 'probe', 'route'].map((m) => `checks/${m}.js`),
]);
const inChecklist = (id: string): boolean => {
  const rel = id.slice(dist.length + 1).replaceAll('\\', '/');
  return id.startsWith(dist) && (CHECKLIST_MODULES.has(rel) || rel.startsWith('net/'));
};

const isBare = (id: string): boolean => !id.startsWith('.') && !isAbsolute(id) && !id.startsWith('node:');
const packageName = (id: string): string =>
  id
    .split('/')
    .slice(0, id.startsWith('@') ? 2 : 1)
    .join('/');

/**
 * ESM-only packages imported statically (conf, chalk, oidc-provider). In the CommonJS bundle they load
 * with require(), which returns the module's namespace; rolldown's interop for an import from an ES
 * module would wrap that once more (its `default` would be the namespace, not the default export).
 * A small module per package hands on the namespace's own exports instead. Packages imported with
 * `await import()` stay dynamic imports and need nothing.
 */
function esmOnlyExternals(): Plugin {
  const PREFIX = '\0esm-only:';
  return {
    name: 'esm-only-externals',
    // Decides every bare import: bundled (commander), through a namespace module, or external.
    resolveId(source, _importer, extra) {
      if (!isBare(source) || BUNDLED.test(source)) return null;
      if (extra.kind === 'import-statement') {
        const manifest = JSON.parse(
          readFileSync(join(root, 'node_modules', packageName(source), 'package.json'), 'utf8'),
        ) as { type?: string };
        if (manifest.type === 'module') return { id: `${PREFIX}${source}`, moduleSideEffects: true };
      }
      return { id: source, external: true };
    },
    async load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const source = id.slice(PREFIX.length);
      const names = Object.keys(await import(source)).filter(
        (n) => n !== 'default' && n !== '__esModule' && /^[A-Za-z_$][\w$]*$/.test(n),
      );
      return [
        `const ns = require(${JSON.stringify(source)});`,
        'export default ns.default;',
        ...names.map((n) => `export const ${n} = ns.${n};`),
      ].join('\n');
    },
  };
}

rmSync(join(dist, 'chunks'), { recursive: true, force: true });
const out = await build({
  input: join(dist, 'cli.js'),
  platform: 'node',
  logLevel: 'warn',
  // The entry may expose more than its own exports (grouping needs it); nothing imports the entry.
  preserveEntrySignatures: 'allow-extension',
  // Built-ins stay require()s; esmOnlyExternals() decides every package import.
  external: (id) => id.startsWith('node:'),
  plugins: [esmOnlyExternals()],
  checks: { ineffectiveDynamicImport: false },
  output: {
    dir: dist,
    format: 'cjs',
    entryFileNames: 'cli.cjs',
    chunkFileNames: 'chunks/[name]-[hash].cjs',
    codeSplitting: {
      groups: [
        {
          // Everything a checklist runs, in one file: loaded by diagnose, connector set/verify and okta audit.
          name: 'checklist',
          test: inChecklist,
          includeDependenciesRecursively: false,
        },
      ],
    },
  },
});

const chunks = out.output.filter((o): o is OutputChunk => o.type === 'chunk');
const entry = chunks.find((c) => c.isEntry);
const checklist = chunks.find((c) => c.name === 'checklist');
if (!entry || !checklist) throw new Error('bundle: the entry or the checklist chunk is missing');
if (entry.imports.includes(checklist.fileName)) {
  throw new Error(
    `bundle: ${entry.fileName} loads ${checklist.fileName} up front; a module of the command tree imports a check or the network layer statically`,
  );
}
// What loading the checklist chunk loads with it: only built-in modules and our own chunks.
const byFile = new Map(chunks.map((c) => [c.fileName, c]));
const seen = new Set<string>();
const walk = (file: string): void => {
  if (seen.has(file)) return;
  seen.add(file);
  for (const dep of byFile.get(file)?.imports ?? []) {
    if (byFile.has(dep)) walk(dep);
    else if (!dep.startsWith('node:')) {
      throw new Error(`bundle: the checklist chunk loads the package ${dep} up front (through ${file})`);
    }
  }
};
walk(checklist.fileName);

// Licences of what was bundled from node_modules.
const packages = new Map<string, string>();
for (const id of chunks.flatMap((c) => c.moduleIds)) {
  const m = /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(id);
  if (m?.[1]) packages.set(m[1], m[1]);
}
const notices = [...packages.keys()].sort().map((dir) => {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    license?: string;
  };
  let text = '';
  for (const name of ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license']) {
    try {
      text = readFileSync(join(dir, name), 'utf8').trim();
      break;
    } catch {
      // try the next name
    }
  }
  if (!text) throw new Error(`bundle: ${pkg.name} has no licence file to reproduce`);
  return `## ${pkg.name} ${pkg.version} (${pkg.license ?? 'see below'})\n\n\`\`\`\n${text}\n\`\`\`\n`;
});
const file = join(dist, 'THIRD-PARTY-NOTICES.md');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(
  file,
  `# Third-party notices\n\ndist/cli.cjs and dist/chunks/ include code from these packages:\n\n${notices.join('\n')}`,
);
