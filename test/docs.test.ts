// The Markdown docs against the code and against each other: the troubleshooting guide covers every
// code a check can report, every relative link leads somewhere, and no doc tells anyone to turn
// certificate verification off (except to say never to).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_ORDER } from '../src/checks/runner.ts';
import { CODES } from '../src/codes.ts';

const ROOT = resolve(new URL('../', import.meta.url).pathname);
const GUIDE = 'docs/troubleshooting.md';

/** Codes no check reports: usage, input, API, keychain, settings, and the runner's own. */
const NOT_A_CHECK = [
  /^USAGE$/,
  /^INPUT_/,
  /^INTERNAL$/,
  /^CHECK_TIMEOUT$/,
  /^API_/,
  /^KEYCHAIN_/,
  /^SECRET_/,
  /^CONFIG_/,
  /^CONNECTOR_DRIFT$/,
  /^PREFLIGHT_FAILED$/,
];

function checkCodes(): string[] {
  return Object.keys(CODES).filter((c) => !NOT_A_CHECK.some((re) => re.test(c)));
}

/** README.md and every docs/*.md, as paths relative to the repository. */
function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

function read(rel: string): string {
  return readFileSync(join(ROOT, rel), 'utf8');
}

/** The text without fenced code blocks and inline code: links there are examples, not links. */
function prose(md: string): string {
  return md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchor: lower case, punctuation other than - and _ dropped, spaces to hyphens. */
function githubSlug(heading: string): string {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a Markdown file offers (duplicates get -1, -2, ... like on GitHub). */
function anchorsOf(md: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  const noCode = md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
  for (const m of noCode.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const slug = githubSlug(m[1] ?? '');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** Link targets of a Markdown text: inline [x](target "title") and reference definitions [x]: target. */
function linkTargets(md: string): string[] {
  const text = prose(md);
  const inline = [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (m) => m[1] ?? '',
  );
  const refs = [...text.matchAll(/^[ \t]*\[[^\]]+\]:[ \t]*<?(\S+?)>?(?:[ \t]+"[^"]*")?[ \t]*$/gm)].map(
    (m) => m[1] ?? '',
  );
  return [...inline, ...refs];
}

/** What is wrong with a relative link from `from` (a repository path), or undefined when it is fine. */
function brokenLink(from: string, target: string, root = ROOT): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto:, ...
  const [pathPart = '', anchor] = target.split('#', 2);
  const file =
    pathPart === '' ? join(root, from) : resolve(root, dirname(from), decodeURIComponent(pathPart));
  const shown = relative(root, file) || '.';
  if (!file.startsWith(root)) return `${target}: leaves the repository`;
  if (!existsSync(file)) return `${target}: ${shown} does not exist`;
  if (anchor === undefined || anchor === '') return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md'))
    return `${target}: an anchor into a non-Markdown file`;
  const md = readFileSync(file, 'utf8');
  if (shown === 'docs/codes.md') {
    const codes = [...md.matchAll(/^### ([A-Z][A-Z0-9_]*)[ \t]*$/gm)].map((m) => (m[1] ?? '').toLowerCase());
    return codes.includes(anchor)
      ? undefined
      : `${target}: no "### ${anchor.toUpperCase()}" heading in ${shown}`;
  }
  return anchorsOf(md).has(anchor) ? undefined : `${target}: no heading with anchor #${anchor} in ${shown}`;
}

/** Ways of telling someone to turn certificate verification off. */
const INSECURE = [
  /(^|[\s`'"(])-k([\s`'")]|$)/,
  /--insecure\b/i,
  /NODE_TLS_REJECT_UNAUTHORIZED/,
  /rejectUnauthorized\s*:\s*false/i,
];
const NEVER = /\b(never|do not|don't|must not)\b/i;

/** The units a reader takes as one statement: each code line and table row, else each sentence. */
function statements(md: string): string[] {
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) out.push(...paragraph.join(' ').split(/(?<=[.!?])\s+(?=[A-Z`*_[(])/));
    paragraph = [];
  };
  let fence: string | undefined;
  for (const line of md.split('\n')) {
    const marker = /^[ \t]*(```|~~~)/.exec(line)?.[1];
    if (fence) {
      if (marker === fence) fence = undefined;
      else out.push(line);
    } else if (marker) {
      flush();
      fence = marker;
    } else if (/^[ \t]*\|/.test(line)) {
      flush();
      out.push(line);
    } else if (line.trim() === '') {
      flush();
    } else {
      if (/^[ \t]*(?:[-*+][ \t]|\d+\.[ \t]|#)/.test(line)) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return out;
}

/** Statements that mention an insecure setting without saying never to. */
function insecureSuggestions(md: string): string[] {
  return statements(md)
    .filter((u) => INSECURE.some((re) => re.test(u)) && !NEVER.test(u))
    .map((u) => u.trim());
}

describe(GUIDE, () => {
  const guide = read(GUIDE);

  it.each(checkCodes())('covers %s with a link to its entry in codes.md', (code) => {
    expect(guide).toMatch(new RegExp(`\\b${code}\\b`));
    expect(guide).toContain(`(codes.md#${code.toLowerCase()})`);
  });

  it('covers every check of diagnose and connector verify with its own section', () => {
    const anchors = anchorsOf(guide);
    for (const id of CHECK_ORDER) {
      expect(anchors, id).toContain(id);
    }
  });

  it("names Cortex's exact redirect URI and a dry run before saving", () => {
    expect(guide).toContain('https://cortexapp.auth0.com/login/callback');
    const checklist = guide.slice(guide.indexOf('## Before you save a connector'));
    expect(checklist).toMatch(/cortex-sso connector set [^`]*--dry-run/);
  });

  it('is linked from the README', () => {
    expect(linkTargets(read('README.md'))).toContain(GUIDE);
  });
});

describe('relative links in README.md and docs/*.md', () => {
  it.each(markdownFiles())('%s: every relative link leads to an existing file and heading', (file) => {
    const broken = linkTargets(read(file))
      .map((t) => brokenLink(file, t))
      .filter((b) => b !== undefined);
    expect(broken).toEqual([]);
  });

  it('the link checker catches a missing file, a missing code and a missing heading', () => {
    expect(brokenLink('README.md', 'docs/nope.md')).toMatch(/does not exist/);
    expect(brokenLink('docs/troubleshooting.md', 'codes.md#dns_not_found')).toBeUndefined();
    expect(brokenLink('docs/troubleshooting.md', 'codes.md#dns-not-found')).toMatch(/no "### DNS-NOT-FOUND"/);
    expect(brokenLink('docs/troubleshooting.md', 'codes.md#no_such_code')).toMatch(/no "### NO_SUCH_CODE"/);
    expect(brokenLink('README.md', '#in-ci')).toBeUndefined();
    expect(brokenLink('README.md', '#no-such-section')).toMatch(/no heading/);
    expect(linkTargets('see [a](x.md) and `[b](y.md)`\n```\n[c](z.md)\n```\n[d]: w.md')).toEqual([
      'x.md',
      'w.md',
    ]);
  });
});

describe('no doc suggests turning certificate verification off', () => {
  it.each(markdownFiles())('%s', (file) => {
    expect(insecureSuggestions(read(file))).toEqual([]);
  });

  it('flags a suggestion and lets a sentence that says never to through', () => {
    expect(insecureSuggestions('If it fails, run `curl -k https://x`.')).toHaveLength(1);
    expect(insecureSuggestions('Set NODE_TLS_REJECT_UNAUTHORIZED=0 and retry.')).toHaveLength(1);
    expect(insecureSuggestions('```sh\ncurl --insecure https://x   # quick test\n```')).toHaveLength(1);
    expect(insecureSuggestions('Use `{ rejectUnauthorized: false }`. Never do that.')).toHaveLength(1);
    expect(insecureSuggestions('Never use `curl -k` or `--insecure`: it hides the problem.')).toEqual([]);
    expect(insecureSuggestions('Do not set NODE_TLS_REJECT_UNAUTHORIZED=0.')).toEqual([]);
  });
});

describe("README.md's command reference", () => {
  it('is what the command tree generates (run `npm run docs:commands` after changing a flag)', async () => {
    const { commandTree } = await import('../src/cli.ts');
    const { commandReference, withReference } = await import('../src/commands/completion.ts');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(withReference(readme, commandReference(commandTree()))).toBe(readme);
  });

  it('the drift check notices a flag the README does not list', async () => {
    const { commandTree } = await import('../src/cli.ts');
    const { commandReference, withReference } = await import('../src/commands/completion.ts');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const tree = commandTree();
    tree.commands.find((c) => c.name() === 'diagnose')?.option('--brand-new', 'a flag added later');
    const regenerated = withReference(readme, commandReference(tree));
    expect(regenerated).not.toBe(readme);
    expect(regenerated).toContain('--brand-new');
  });
});
