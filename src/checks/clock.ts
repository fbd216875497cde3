import { mapNetError } from '../net/errors.js';
import { headerValue, httpGet, isHttpTimeout } from '../net/http.js';
import { routeFor } from './route.js';
import type { Check, CheckContext, CheckOutcome, ServerDateSample } from './types.js';

export const WARN_SKEW_MS = 30_000;
export const FAIL_SKEW_MS = 5 * 60_000;

export interface SkewEstimate {
  /** Best estimate of server - local, in ms (positive: this machine is behind). */
  offsetMs: number;
  /** The smallest |server - local| consistent with 1 s Date resolution and the request latency. */
  minSkewMs: number;
}

/**
 * The server stamped Date (truncated to the second) at some moment between sending and receiving:
 * server time S in [D, D+1s), local time L in [sentAt, receivedAt], so S - L lies in
 * [D - receivedAt, D + 1s - sentAt]. Judge by the end nearest zero, report the middle.
 */
export function estimateSkew(sample: ServerDateSample): SkewEstimate | undefined {
  const d = Date.parse(sample.date);
  if (Number.isNaN(d)) return undefined;
  const low = d - sample.receivedAt.getTime();
  const high = d + 1000 - sample.sentAt.getTime();
  const minSkewMs = low > 0 ? low : high < 0 ? -high : 0;
  return { offsetMs: Math.round((low + high) / 2), minSkewMs };
}

/** 432_000 -> "7m12s"; 45_000 -> "45s"; 3_723_000 -> "1h2m3s". */
export function formatDuration(ms: number): string {
  let s = Math.round(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

export function judgeSkew(sample: ServerDateSample, source: string): CheckOutcome {
  const est = estimateSkew(sample);
  if (!est) {
    return {
      status: 'skip',
      title: "The server's Date header cannot be read",
      detail: `${source} sent Date "${sample.date}", which is not an HTTP date.`,
    };
  }
  const offsetS = Math.round(est.offsetMs / 1000);
  const data = {
    serverDate: sample.date,
    localDate: sample.receivedAt.toISOString(),
    offsetSeconds: offsetS,
    minSkewSeconds: Math.round(est.minSkewMs / 1000),
  };
  const direction =
    est.offsetMs > 0
      ? `this machine is ${formatDuration(est.offsetMs)} behind the server`
      : `this machine is ${formatDuration(est.offsetMs)} ahead of the server`;
  if (est.minSkewMs > FAIL_SKEW_MS) {
    return {
      status: 'fail',
      code: 'CLOCK_SKEW',
      title: `This machine's clock is off by ${formatDuration(est.offsetMs)}`,
      detail: `${direction[0]?.toUpperCase()}${direction.slice(1)} (server Date: ${sample.date}). More than 5 minutes of skew makes tokens look expired or not yet valid.`,
      data,
    };
  }
  if (est.minSkewMs > WARN_SKEW_MS) {
    return {
      status: 'warn',
      code: 'CLOCK_SKEW',
      title: `This machine's clock is off by ${formatDuration(est.offsetMs)}`,
      detail: `${direction[0]?.toUpperCase()}${direction.slice(1)} (server Date: ${sample.date}). Token checks tolerate some skew, but this is more than 30 s.`,
      data,
    };
  }
  return {
    status: 'pass',
    title: 'The clock agrees with the server',
    detail:
      est.minSkewMs === 0
        ? `Within the Date header's 1 s resolution and the request latency (server Date: ${sample.date}).`
        : `${direction} (server Date: ${sample.date}), within 30 s.`,
    data,
  };
}

/**
 * The server's Date against this machine's clock. Reads the Date header of discovery's answer (it
 * waits for discovery, without depending on its verdict); sends its own HEAD only when there was none.
 */
export const check: Check = {
  id: 'clock',
  needs: ['tls', 'certificate'],
  after: ['discovery'],
  async run(target, ctx: CheckContext) {
    const facts = target.facts;
    const known = facts.serverDateSample;
    if (facts.serverDate && known && known.date === facts.serverDate) {
      return judgeSkew(known, 'The discovery answer');
    }
    const url = target.issuer.issuer;
    const sentAt = ctx.now();
    try {
      const res = await httpGet(url, {
        dispatcher: ctx.net.dispatcher(routeFor(new URL(url), target.issuer, facts, ctx.net)),
        method: 'HEAD',
        timeoutMs: ctx.options.timeoutMs,
        maxBytes: 0,
      });
      const receivedAt = ctx.now();
      const date = headerValue(res.headers, 'date');
      if (!date) {
        return {
          status: 'skip',
          title: 'The server sent no Date header',
          detail: `HEAD ${url} answered HTTP ${res.status} without a Date header; the clock cannot be compared.`,
        };
      }
      return judgeSkew({ date, sentAt, receivedAt }, `HEAD ${url}`);
    } catch (err) {
      const detail = isHttpTimeout(err) ? err.message : mapNetError(err).detail;
      return { status: 'skip', title: 'The clock could not be compared', detail: `HEAD ${url}: ${detail}` };
    }
  },
};
