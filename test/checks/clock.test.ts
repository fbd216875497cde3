import { describe, expect, it } from 'vitest';
import { check, estimateSkew, formatDuration } from '../../src/checks/clock.js';
import { check as discovery } from '../../src/checks/discovery.js';
import { useHttpCheckEnv } from '../support/http-check-env.ts';

const h = useHttpCheckEnv();
const { ctx, target } = h;

describe('clock against a server Date', () => {
  it('passes for the real provider (own HEAD request)', async () => {
    for (const issuer of [h.org.issuer, h.custom.issuer]) {
      const outcome = await check.run(target(issuer), ctx());
      expect(outcome.status).toBe('pass');
      expect(outcome.code).toBeUndefined();
    }
  });

  it('a server 7 minutes ahead -> fail CLOCK_SKEW, this machine is behind', async () => {
    const outcome = await check.run(target(h.fx.issuer('skew-7m')), ctx());
    expect(outcome).toMatchObject({ status: 'fail', code: 'CLOCK_SKEW' });
    expect(outcome.detail).toMatch(
      /This machine is 7m0?s behind the server|This machine is 6m59s behind the server/,
    );
    expect(outcome.data?.offsetSeconds).toBeGreaterThanOrEqual(419);
    expect(outcome.data?.offsetSeconds).toBeLessThanOrEqual(421);
  });

  it('a server 7 minutes behind -> fail CLOCK_SKEW, this machine is ahead', async () => {
    const outcome = await check.run(target(h.fx.issuer('skew-behind-7m')), ctx());
    expect(outcome).toMatchObject({ status: 'fail', code: 'CLOCK_SKEW' });
    expect(outcome.detail).toContain('ahead of the server');
  });

  it('45 s of skew -> warn CLOCK_SKEW', async () => {
    const outcome = await check.run(target(h.fx.issuer('skew-45s')), ctx());
    expect(outcome).toMatchObject({ status: 'warn', code: 'CLOCK_SKEW' });
    expect(outcome.detail).toMatch(/behind the server/);
  });

  it('uses the Date discovery saw when there is one', async () => {
    const t = target(h.fx.issuer('skew-7m'));
    const c = ctx();
    expect((await discovery.run(t, c)).status).toBe('pass');
    expect(t.facts.serverDate).toBeDefined();
    const outcome = await check.run(t, c);
    expect(outcome).toMatchObject({
      status: 'fail',
      code: 'CLOCK_SKEW',
      data: { serverDate: t.facts.serverDate },
    });
  });

  it('judges against ctx.now(): a local clock 10 minutes fast fails against a correct server', async () => {
    const c = { ...ctx(), now: () => new Date(Date.now() + 10 * 60_000) };
    const outcome = await check.run(target(h.org.issuer), c);
    expect(outcome).toMatchObject({ status: 'fail', code: 'CLOCK_SKEW' });
    expect(outcome.detail).toContain('ahead of the server');
  });
});

describe('estimateSkew', () => {
  it('allows for the 1 s resolution of Date and for latency', () => {
    const base = Date.UTC(2026, 10, 3, 12, 0, 0);
    const date = new Date(base).toUTCString();
    // Server stamped 12:00:00 (could be up to 12:00:00.999); answer seen locally at 12:00:00.900.
    expect(
      estimateSkew({ date, sentAt: new Date(base + 100), receivedAt: new Date(base + 900) })?.minSkewMs,
    ).toBe(0);
    // Slow request: sent 12:00:00.000, received 12:00:03.000; still no provable skew.
    expect(estimateSkew({ date, sentAt: new Date(base), receivedAt: new Date(base + 3000) })?.minSkewMs).toBe(
      0,
    );
    // Local clock 40 s ahead: at least 39 s of skew whatever the rounding.
    const ahead = estimateSkew({
      date,
      sentAt: new Date(base + 40_000),
      receivedAt: new Date(base + 40_200),
    });
    expect(ahead?.minSkewMs).toBe(39_000);
    expect(ahead?.offsetMs).toBeLessThan(0);
    expect(
      estimateSkew({ date: 'not a date', sentAt: new Date(base), receivedAt: new Date(base) }),
    ).toBeUndefined();
  });

  it('formats durations like 7m12s', () => {
    expect(formatDuration(432_000)).toBe('7m12s');
    expect(formatDuration(-45_000)).toBe('45s');
    expect(formatDuration(3_723_000)).toBe('1h2m3s');
  });
});
