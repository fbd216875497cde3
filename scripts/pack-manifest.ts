// The packed tarball must not carry an install script: npm 11 warns about a `prepare` script in any
// package installed from a tarball, git or a folder ("install scripts not yet covered by
// allowScripts"), although the tarball already holds the built dist/ and has nothing to build.
// A clone still needs `prepare` so that README's `npm ci` builds dist/.
//
//   node scripts/pack-manifest.ts strip     (prepack)  package.json without scripts.prepare, original kept aside
//   node scripts/pack-manifest.ts restore   (postpack) put the original back
//
// npm runs prepack before it reads the files to pack, and postpack after the tarball is written.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const MANIFEST = new URL('../package.json', import.meta.url);
const SAVED = new URL('../.package.json.prepack', import.meta.url);

const mode = process.argv[2];
if (mode === 'strip') {
  const text = readFileSync(MANIFEST, 'utf8');
  const pkg = JSON.parse(text) as { scripts?: Record<string, string> };
  if (pkg.scripts?.prepare !== undefined) {
    writeFileSync(SAVED, text);
    delete pkg.scripts.prepare;
    writeFileSync(MANIFEST, `${JSON.stringify(pkg, null, 2)}\n`);
  }
} else if (mode === 'restore') {
  if (existsSync(SAVED)) renameSync(SAVED, MANIFEST);
} else {
  process.stderr.write('usage: node scripts/pack-manifest.ts strip|restore\n');
  process.exit(2);
}
