// The clock thresholds are the documented ones, to the second: more than 30 s of skew warns, more
// than 5 minutes fails (README, docs/codes.md). Moving either by a minute, or even a second, fails here.
import { describe, expect, it } from 'vitest';
import { judgeSkew } from '../../src/checks/clock.ts';

/** A server Date `offsetS` seconds from a local clock that reads a whole second, no latency. */
function sample(offsetS: number) {
  const local = new Date(Date.UTC(2026, 0, 15, 12, 0, 0));
  return {
    date: new Date(local.getTime() + offsetS * 1000).toUTCString(),
    sentAt: local,
    receivedAt: local,
  };
}

describe('clock skew boundaries', () => {
  it.each([
    [30, 'pass'],
    [31, 'warn'],
    [-31, 'pass'],
    [-32, 'warn'],
    [299, 'warn'],
    [300, 'warn'],
    [301, 'fail'],
    [-301, 'warn'],
    [-302, 'fail'],
  ] as const)('a server %i s from this machine -> %s', (offset, status) => {
    // A server behind this machine: Date is truncated to the second, so the server may have been up
    // to 1 s later than it says; that second counts in the machine's favour (-31 s may be -30 s).
    const out = judgeSkew(sample(offset), 'the issuer');
    expect(out.status).toBe(status);
    if (status !== 'pass') expect(out.code).toBe('CLOCK_SKEW');
  });
});
