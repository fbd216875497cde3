import { CODES } from '../codes.js';
import type { CheckResult, DiagnoseResult, Finding, TargetReport } from '../result.js';
import { SCHEMA_VERSION } from '../result.js';
import { CHECK_ORDER } from './index.js';
import type { Check, CheckContext, CheckId, CheckOutcome, Target } from './types.js';

export interface RunOptions {
  /** Called as each check ends (for a spinner); never used for output decisions. */
  onCheck?: (issuerInput: string, result: CheckResult) => void;
  /** Test seam for the safety-net budget; default derived from timeoutMs. */
  budgetMs?: number;
}

/** Display and JSON order: the registry's (src/checks/index.ts). */
export { CHECK_ORDER };

/**
 * Run the check graph for every issuer, all issuers at once. A check starts as soon as the
 * checks it needs are done; it is skipped (with the reason) when one of them failed or was skipped.
 * Each check also gets an overall budget, so no run can hang whatever a check does.
 */
export async function runChecks(
  inputs: readonly string[],
  checks: readonly Check[],
  ctx: CheckContext,
  opts: RunOptions = {},
): Promise<DiagnoseResult> {
  const results = await Promise.all(inputs.map((input) => runTarget(input, checks, ctx, opts)));
  return { schemaVersion: SCHEMA_VERSION, ok: results.every((r) => r.ok), results };
}

async function runTarget(
  input: string,
  checks: readonly Check[],
  ctx: CheckContext,
  opts: RunOptions,
): Promise<TargetReport> {
  const target: Target = { input, facts: {} };
  const done = new Map<CheckId, CheckResult>();
  const emit = (r: CheckResult) => {
    done.set(r.id as CheckId, r);
    opts.onCheck?.(input, r);
  };

  const byId = new Map(checks.map((c) => [c.id, c] as const));
  const promises = new Map<CheckId, Promise<CheckResult>>();
  /** For a skipped check: the failed check that caused it. */
  const rootCause = new Map<CheckId, CheckId>();
  const budget = opts.budgetMs ?? ctx.options.timeoutMs * 3 + 2_000;

  const start = (check: Check): Promise<CheckResult> => {
    const existing = promises.get(check.id);
    if (existing) return existing;
    const p = (async () => {
      const needs = await Promise.all(
        check.needs.map((id) => {
          const dep = byId.get(id);
          return dep ? start(dep) : Promise.resolve(undefined);
        }),
      );
      // Soft order: wait for these (their facts may spare a request), whatever their verdict.
      await Promise.all(
        (check.after ?? []).map((id) => {
          const dep = byId.get(id);
          return dep ? start(dep) : undefined;
        }),
      );
      const blocked = needs.find((n) => n && (n.status === 'fail' || n.status === 'skip'));
      let result: CheckResult;
      if (blocked) {
        // Name the check that actually failed, not the chain of skips in between.
        const cause = rootCause.get(blocked.id as CheckId);
        rootCause.set(check.id, cause ?? (blocked.id as CheckId));
        result = {
          id: check.id,
          status: 'skip',
          title:
            cause || blocked.status === 'fail'
              ? `Skipped: ${cause ?? blocked.id} failed`
              : `Skipped: ${blocked.id} was skipped`,
          durationMs: 0,
          findings: [],
        };
      } else if (!target.issuer && !check.input) {
        result = {
          id: check.id,
          status: 'skip',
          title: 'Skipped: the issuer URL is not usable',
          durationMs: 0,
          findings: [],
        };
      } else {
        const started = performance.now();
        const outcome = await guarded(
          check,
          target as Target & { issuer: NonNullable<Target['issuer']> },
          ctx,
          budget,
        );
        result = finish(check.id, outcome, started);
      }
      emit(result);
      return result;
    })();
    promises.set(check.id, p);
    return p;
  };

  // The checks that read the input as typed (issuer-url) come first: the others need target.issuer.
  for (const c of checks) if (c.input) await start(c);
  try {
    await Promise.all(checks.map((c) => start(c)));
  } finally {
    // A connection one check left for another that did not take it (it was skipped, say).
    target.facts.openConnection?.destroy();
    target.facts.openConnection = undefined;
  }

  const ordered = [...done.values()].sort((a, b) => order(a.id) - order(b.id));
  const checksOut = ctx.options.strict ? ordered.map(strictify) : ordered;
  return {
    issuer: target.issuer?.issuer ?? input.trim(),
    input,
    ok: checksOut.every((c) => c.status !== 'fail'),
    checks: checksOut,
  };
}

function order(id: string): number {
  const i = CHECK_ORDER.indexOf(id as CheckId);
  return i === -1 ? CHECK_ORDER.length : i;
}

async function guarded(
  check: Check,
  target: Target & { issuer: NonNullable<Target['issuer']> },
  ctx: CheckContext,
  budgetMs: number,
): Promise<CheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          status: 'fail',
          code: 'CHECK_TIMEOUT',
          title: CODES.CHECK_TIMEOUT.title,
          detail: `${check.id} did not finish within ${Math.round(budgetMs / 1000)} s.`,
        }),
      budgetMs,
    );
    timer.unref();
  });
  try {
    return await Promise.race([
      check.run(target, ctx).catch(
        (err: unknown): CheckOutcome => ({
          status: 'fail',
          code: 'INTERNAL',
          title: CODES.INTERNAL.title,
          detail: `${check.id}: ${err instanceof Error ? err.message : String(err)}`,
        }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const RANK = { fail: 0, warn: 1 } as const;

/** Every finding of an outcome, most urgent first (stable: a check lists equals in its own order). */
function findingsOf(outcome: CheckOutcome): Finding[] {
  const list: Array<Omit<Finding, 'advice'> & { advice?: string }> =
    outcome.findings && outcome.findings.length > 0
      ? outcome.findings
      : outcome.code && (outcome.status === 'warn' || outcome.status === 'fail')
        ? [
            {
              code: outcome.code,
              status: outcome.status,
              message: outcome.detail ?? outcome.title,
              ...(outcome.advice ? { advice: outcome.advice } : {}),
            },
          ]
        : [];
  return list
    .map((f, i) => ({ f, i }))
    .sort((a, b) => RANK[a.f.status] - RANK[b.f.status] || a.i - b.i)
    .map(({ f }) => ({
      code: f.code,
      status: f.status,
      message: f.message,
      advice: f.advice ?? CODES[f.code].advice,
    }));
}

function finish(id: CheckId, outcome: CheckOutcome, started: number): CheckResult {
  const findings = outcome.status === 'warn' || outcome.status === 'fail' ? findingsOf(outcome) : [];
  // The check's code and status are those of its most urgent finding.
  const head = findings[0];
  const status = head && outcome.status !== 'fail' ? head.status : outcome.status;
  const code = head?.code ?? outcome.code;
  const r: CheckResult = {
    id,
    status,
    title: outcome.title,
    durationMs: Math.max(0, Math.round(performance.now() - started)),
  };
  if (code && (status === 'warn' || status === 'fail')) {
    r.code = code;
    r.advice = (head && head.code !== outcome.code ? head.advice : outcome.advice) ?? CODES[code].advice;
  } else if (outcome.advice) {
    r.advice = outcome.advice;
  }
  if (outcome.detail) r.detail = outcome.detail;
  if (outcome.data) r.data = outcome.data;
  // Stable key order for JSON consumers.
  return {
    id: r.id,
    status: r.status,
    ...(r.code ? { code: r.code } : {}),
    title: r.title,
    ...(r.detail ? { detail: r.detail } : {}),
    ...(r.advice ? { advice: r.advice } : {}),
    durationMs: r.durationMs,
    findings,
    ...(r.data ? { data: r.data } : {}),
  };
}

/**
 * Under --strict a warning is a failure: every warning finding becomes a failing one, and the
 * check's status says so, so JSON consumers see it too.
 */
function strictify(r: CheckResult): CheckResult {
  const warned = r.status === 'warn' || (r.findings ?? []).some((f) => f.status === 'warn');
  if (!warned) return r;
  return {
    ...r,
    status: r.status === 'skip' ? r.status : 'fail',
    ...(r.findings
      ? { findings: r.findings.map((f) => (f.status === 'warn' ? { ...f, status: 'fail' as const } : f)) }
      : {}),
    data: { ...(r.data ?? {}), strict: true },
  };
}
