import { describe, expect, it } from 'vitest';
import { check as issuerUrl } from '../../src/checks/issuer-url.js';
import { runChecks as runGraph } from '../../src/checks/runner.js';
import type { Check, CheckContext, CheckOutcome } from '../../src/checks/types.js';
import { CODES } from '../../src/codes.ts';

function ctx(strict = false, timeoutMs = 1000): CheckContext {
  return {
    options: { timeoutMs, warnDays: 30, strict, allowHttpLoopback: false },
    net: {} as CheckContext['net'],
    now: () => new Date(),
  };
}

function check(
  id: Check['id'],
  needs: Check['id'][],
  outcome: CheckOutcome | (() => Promise<CheckOutcome>),
): Check {
  return {
    id,
    needs,
    run: async () => (typeof outcome === 'function' ? outcome() : outcome),
  };
}

const pass = (title = 'ok'): CheckOutcome => ({ status: 'pass', title });

/** Every checklist starts with issuer-url (src/checks/index.ts); these tests name only the rest. */
const runChecks = (...[inputs, checks, c, o]: Parameters<typeof runGraph>) =>
  runGraph(inputs, [issuerUrl, ...checks], c, o);

describe('runChecks', () => {
  it('runs the graph, skips dependants of a failure with the reason, and orders the output by layer', async () => {
    const checks = [
      check('tls', ['tcp'], pass()),
      check('dns', ['issuer-url'], pass()),
      check('tcp', ['dns'], { status: 'fail', code: 'TCP_REFUSED', title: 'refused' }),
      check('certificate', ['tls'], pass()),
      check('clock', ['dns'], pass()),
    ];
    const r = await runChecks(['https://acme.okta.com'], checks, ctx());
    expect(r.ok).toBe(false);
    const t = r.results[0]!;
    expect(t.checks.map((c) => c.id)).toEqual(['issuer-url', 'dns', 'tcp', 'tls', 'certificate', 'clock']);
    const byId = Object.fromEntries(t.checks.map((c) => [c.id, c]));
    expect(byId.tcp?.code).toBe('TCP_REFUSED');
    expect(byId.tcp?.advice).toMatch(/443/); // default advice from the codes table
    expect(byId.tls).toMatchObject({ status: 'skip', title: 'Skipped: tcp failed' });
    expect(byId.certificate).toMatchObject({ status: 'skip', title: 'Skipped: tcp failed' });
    expect(byId.clock?.status).toBe('pass');
  });

  it('skips every check when the issuer URL is unusable', async () => {
    const r = await runChecks(['http://acme.okta.com'], [check('dns', ['issuer-url'], pass())], ctx());
    const [first, dns] = r.results[0]!.checks;
    expect(first).toMatchObject({ id: 'issuer-url', status: 'fail', code: 'ISSUER_URL_INVALID' });
    expect(first?.advice).toBe('Use https://acme.okta.com');
    expect(dns?.status).toBe('skip');
  });

  it('runs independent checks at the same time', async () => {
    let running = 0;
    let peak = 0;
    const slow = async (): Promise<CheckOutcome> => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 50));
      running -= 1;
      return pass();
    };
    await runChecks(
      ['https://acme.okta.com'],
      [check('dns', [], slow), check('clock', [], slow), check('proxy', [], slow)],
      ctx(),
    );
    expect(peak).toBe(3);
  });

  it('checks several issuers concurrently and reports each', async () => {
    const r = await runChecks(
      ['acme.okta.com', 'https://acme-admin.okta.com'],
      [check('dns', ['issuer-url'], pass())],
      ctx(),
    );
    expect(r.results.map((x) => [x.issuer, x.ok])).toEqual([
      ['https://acme.okta.com', true],
      ['https://acme-admin.okta.com', false],
    ]);
    expect(r.ok).toBe(false);
  });

  it('turns warnings into failures under --strict, but still runs dependants', async () => {
    const checks = [
      check('certificate', [], { status: 'warn', code: 'CERT_PRIVATE_ROOT', title: 'private' }),
      check('discovery', ['certificate'], pass()),
    ];
    const lax = await runChecks(['https://acme.okta.com'], checks, ctx(false));
    expect(lax.ok).toBe(true);
    const strict = await runChecks(['https://acme.okta.com'], checks, ctx(true));
    expect(strict.ok).toBe(false);
    const cert = strict.results[0]!.checks.find((c) => c.id === 'certificate');
    expect(cert).toMatchObject({ status: 'fail', code: 'CERT_PRIVATE_ROOT', data: { strict: true } });
    expect(strict.results[0]!.checks.find((c) => c.id === 'discovery')?.status).toBe('pass');
  });

  it('bounds a check that never returns and reports a thrown error without a stack', async () => {
    const never = check('dns', [], () => new Promise<CheckOutcome>(() => {}));
    const boom = check('clock', [], async () => {
      throw new Error('kaboom');
    });
    const r = await runChecks(['https://acme.okta.com'], [never, boom], ctx(), { budgetMs: 100 });
    const byId = Object.fromEntries(r.results[0]!.checks.map((c) => [c.id, c]));
    expect(byId.dns).toMatchObject({ status: 'fail', code: 'CHECK_TIMEOUT' });
    expect(byId.clock).toMatchObject({ status: 'fail', code: 'INTERNAL' });
    expect(byId.clock?.detail).toBe('clock: kaboom');
  });

  it('emits the stable JSON shape: code only on warn/fail', async () => {
    const r = await runChecks(
      ['https://acme.okta.com'],
      [check('dns', [], { status: 'pass', code: 'DNS_FAILURE', title: 'ok anyway' })],
      ctx(),
    );
    const dns = r.results[0]!.checks[1]!;
    expect(Object.keys(dns)).toEqual(['id', 'status', 'title', 'durationMs', 'findings']);
    expect(dns.findings).toEqual([]);
    expect(r.schemaVersion).toBe(1);
  });

  it('`after` waits for a check without depending on its verdict', async () => {
    const order: string[] = [];
    const slowFail = check('discovery', [], async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push('discovery');
      return { status: 'fail', code: 'DISCOVERY_HTTP_ERROR', title: 'no' };
    });
    const clock: Check = {
      id: 'clock',
      needs: [],
      after: ['discovery'],
      run: async () => {
        order.push('clock');
        return pass();
      },
    };
    const r = await runChecks(['https://acme.okta.com'], [slowFail, clock], ctx());
    expect(order).toEqual(['discovery', 'clock']);
    expect(r.results[0]!.checks.find((c) => c.id === 'clock')?.status).toBe('pass');
  });

  it('lists every finding, most urgent first; code and status are the most urgent one', async () => {
    const r = await runChecks(
      ['https://acme.okta.com'],
      [
        check('dns', [], {
          status: 'warn',
          code: 'CERT_PRIVATE_ROOT',
          title: 'two problems',
          findings: [
            { code: 'CERT_PRIVATE_ROOT', status: 'warn', message: 'private' },
            { code: 'CERT_EXPIRED', status: 'fail', message: 'expired', advice: 'renew it' },
          ],
        }),
      ],
      ctx(),
    );
    const dns = r.results[0]!.checks[1]!;
    expect(dns).toMatchObject({ status: 'fail', code: 'CERT_EXPIRED', advice: 'renew it' });
    expect(dns.findings).toEqual([
      { code: 'CERT_EXPIRED', status: 'fail', message: 'expired', advice: 'renew it' },
      {
        code: 'CERT_PRIVATE_ROOT',
        status: 'warn',
        message: 'private',
        advice: CODES.CERT_PRIVATE_ROOT.advice,
      },
    ]);
    expect(r.ok).toBe(false);
  });

  it("a single-code outcome becomes one finding with the code's advice", async () => {
    const r = await runChecks(
      ['https://acme.okta.com'],
      [check('dns', [], { status: 'fail', code: 'DNS_NOT_FOUND', title: 'no', detail: 'acme: NXDOMAIN' })],
      ctx(),
    );
    expect(r.results[0]!.checks[1]!.findings).toEqual([
      {
        code: 'DNS_NOT_FOUND',
        status: 'fail',
        message: 'acme: NXDOMAIN',
        advice: CODES.DNS_NOT_FOUND.advice,
      },
    ]);
  });
});
