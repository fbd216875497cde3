// Prints a plain closing summary after vitest's own: "N passed, N failed, N skipped", then, when
// anything was skipped, how many tests were skipped for which reason. A run on a machine without
// gnome-keyring (or `script`, `unshare`, zsh...) thus says what it did not test, instead of a bare
// count that hides gaps. Reasons come from `ctx.skip(reason)`; tests skipped by a suite's condition
// are grouped by that suite, and the keyring suites name global-setup's reason.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';

/** Files whose suites skip when the real keyring is unavailable (they inject its skip reason). */
function usesKeyring(moduleId: string, cache: Map<string, boolean>): boolean {
  let hit = cache.get(moduleId);
  if (hit === undefined) {
    try {
      hit = /inject\('keyring(SkipReason|BusAddress)'\)/.test(readFileSync(moduleId, 'utf8'));
    } catch {
      hit = false;
    }
    cache.set(moduleId, hit);
  }
  return hit;
}

function topSuite(t: TestCase): string {
  let node: TestCase['parent'] = t.parent;
  let name = '';
  while (node.type === 'suite') {
    name = node.name;
    node = node.parent;
  }
  return name;
}

export default class SummaryReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const reasons = new Map<string, number>();
    const keyringReason = this.keyringSkipReason();
    const cache = new Map<string, boolean>();
    for (const m of testModules) {
      for (const t of m.children.allTests()) {
        const result = t.result();
        if (result.state === 'passed') passed += 1;
        else if (result.state === 'failed') failed += 1;
        else {
          const reason = this.reasonOf(t, result.state === 'skipped' ? result.note : undefined, {
            keyringReason,
            cache,
          });
          reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        }
      }
    }
    const skipped = [...reasons.values()].reduce((a, b) => a + b, 0);
    const lines = [`\n${passed} passed, ${failed} failed, ${skipped} skipped`];
    if (skipped > 0) {
      lines.push(`Skipped ${skipped}, by reason:`);
      for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
        lines.push(`  ${String(n).padStart(4)}  ${reason}`);
      }
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }

  private keyringSkipReason(): string {
    try {
      return this.vitest?.getRootProject().getProvidedContext().keyringSkipReason ?? '';
    } catch {
      return '';
    }
  }

  private reasonOf(
    t: TestCase,
    note: string | undefined,
    ctx: { keyringReason: string; cache: Map<string, boolean> },
  ): string {
    if (note) return note;
    const file = relative(process.cwd(), t.module.moduleId);
    if (t.options.mode === 'todo') return `todo: ${file}`;
    if (ctx.keyringReason && usesKeyring(t.module.moduleId, ctx.cache)) {
      return `no real keyring (${ctx.keyringReason})`;
    }
    const suite = topSuite(t);
    return `skipped by its condition: ${file}${suite ? ` › ${suite}` : ''}`;
  }
}
