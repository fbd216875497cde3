// Every finding is reported, not only the first: a certificate that expires in 5 days, reached
// through a private CA, carries both CERT_EXPIRES_SOON and CERT_PRIVATE_ROOT, the expiry first; the
// text output gives each its fix, and --strict fails on either. Real TLS servers on loopback, the
// built CLI as a child process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check as certificate } from '../../src/checks/certificate.ts';
import { check as tlsCheck } from '../../src/checks/tls.ts';
import { CODES } from '../../src/codes.ts';
import { runCli, tempDir, writeTemp } from '../support/cli.ts';
import { type HttpFixtures, startHttpFixtures } from '../support/http-fixtures.ts';
import { netCtx, netTarget } from '../support/net-check-context.ts';
import { createTestPki, type TestPki } from '../support/pki.ts';

const DAY = 86_400_000;

interface JsonFinding {
  code: string;
  status: string;
  message: string;
  advice: string;
}
interface JsonCheck {
  id: string;
  status: string;
  code?: string;
  findings?: JsonFinding[];
}
interface JsonDoc {
  ok: boolean;
  results: Array<{ checks: JsonCheck[] }>;
}

describe('findings: every problem of a check, most urgent first', () => {
  let pki: TestPki;
  let expiring: HttpFixtures;
  let rootFile: string;
  beforeAll(async () => {
    pki = await createTestPki();
    expiring = await startHttpFixtures({
      tls: await pki.issueLeaf({ notAfter: new Date(Date.now() + 5 * DAY + 3_600_000) }),
    });
    rootFile = writeTemp(tempDir(), 'root.pem', pki.root.certPem);
  });
  afterAll(async () => {
    await expiring?.close();
  });

  it('the certificate check lists CERT_EXPIRES_SOON before CERT_PRIVATE_ROOT, and its code is the expiry', async () => {
    const ctx = netCtx({ caPems: [pki.root.certPem], warnDays: 30 });
    const target = netTarget('localhost', expiring.port);
    expect((await tlsCheck.run(target, ctx)).status).toBe('pass');
    const out = await certificate.run(target, ctx);
    expect(out).toMatchObject({ status: 'warn', code: 'CERT_EXPIRES_SOON' });
    expect(out.findings?.map((f) => `${f.status}:${f.code}`)).toEqual([
      'warn:CERT_EXPIRES_SOON',
      'warn:CERT_PRIVATE_ROOT',
    ]);
    expect(out.findings?.[0]?.message).toMatch(/in 5 days/);
    expect(out.findings?.[1]?.message).toContain('from --ca-file');
  });

  const run = (extra: string[], format: string[] = ['--json']) =>
    runCli(['diagnose', '--issuer', expiring.issuer('healthy'), '--ca-file', rootFile, ...extra, ...format], {
      env: { CORTEX_SSO_PUBLIC_CA_FILE: undefined },
    });
  const certOf = (doc: JsonDoc) => doc.results[0]?.checks.find((c) => c.id === 'certificate') as JsonCheck;

  it('--json carries both findings with their advice; warnings only: exit 0', async () => {
    const r = await run([]);
    expect(r.code).toBe(0);
    const cert = certOf(JSON.parse(r.stdout) as JsonDoc);
    expect(cert).toMatchObject({ status: 'warn', code: 'CERT_EXPIRES_SOON' });
    expect(cert.findings).toEqual([
      expect.objectContaining({
        code: 'CERT_EXPIRES_SOON',
        status: 'warn',
        advice: CODES.CERT_EXPIRES_SOON.advice,
      }),
      expect.objectContaining({
        code: 'CERT_PRIVATE_ROOT',
        status: 'warn',
        advice: CODES.CERT_PRIVATE_ROOT.advice,
      }),
    ]);
  });

  it('--strict fails on the warnings: exit 1, every warning finding counted as a failure', async () => {
    const r = await run(['--strict']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as JsonDoc;
    expect(doc.ok).toBe(false);
    const cert = certOf(doc);
    expect(cert).toMatchObject({ status: 'fail', code: 'CERT_EXPIRES_SOON' });
    expect(cert.findings?.map((f) => `${f.status}:${f.code}`)).toEqual([
      'fail:CERT_EXPIRES_SOON',
      'fail:CERT_PRIVATE_ROOT',
    ]);
  });

  it('the text output lists each finding with its own fix', async () => {
    const r = await run([], []);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    // The finding lines, under the check's own line (which names the most urgent code too).
    const at = (code: string) => lines.findIndex((l) => /^ {6}\S/.test(l) && l.includes(`[${code}]`));
    const soon = at('CERT_EXPIRES_SOON');
    const priv = at('CERT_PRIVATE_ROOT');
    expect(soon).toBeGreaterThan(0);
    expect(priv).toBeGreaterThan(soon);
    expect(lines[soon + 1]).toContain(`Fix: ${CODES.CERT_EXPIRES_SOON.advice.slice(0, 40)}`);
    expect(lines[priv + 1]).toContain(`Fix: ${CODES.CERT_PRIVATE_ROOT.advice.slice(0, 40)}`);
  });
});
