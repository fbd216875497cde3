import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check as certificate } from '../../src/checks/certificate.ts';
import { check as tlsCheck } from '../../src/checks/tls.ts';
import type { CheckContext, CheckOutcome } from '../../src/checks/types.ts';
import { type NetCtxOptions, netCtx, netTarget } from '../support/net-check-context.ts';
import { createTestPki, type TestPki } from '../support/pki.ts';
import {
  type CertScenarios,
  createCertScenarios,
  startTlsServer,
  type TestServer,
} from '../support/tls-servers.ts';

describe('certificate check', () => {
  let pki: TestPki;
  let sc: CertScenarios;
  const servers: TestServer[] = [];
  beforeAll(async () => {
    pki = await createTestPki();
    sc = await createCertScenarios(pki);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  /** Run tls then certificate against a server serving `which`, as the runner would. */
  async function judge(
    which: keyof Omit<CertScenarios, 'otherRootPem'>,
    ctxOpts?: NetCtxOptions,
    host = 'localhost',
  ) {
    const s = await startTlsServer(sc[which]);
    servers.push(s);
    const ctx: CheckContext = netCtx(ctxOpts ?? { caPems: [pki.root.certPem] });
    const target = netTarget(host, s.port);
    const tls = await tlsCheck.run(target, ctx);
    expect(tls.status).toBe('pass');
    return { out: (await certificate.run(target, ctx)) as CheckOutcome, target };
  }

  it('healthy chain trusted through a "public" root passes with chain data and fingerprints', async () => {
    const { out } = await judge('healthy', { publicRoots: [pki.root.certPem] });
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('"localhost" issued by "cortex-sso Test Intermediate CA"');
    expect(out.detail).toContain('trusted through the public root "cortex-sso Test Root CA"');
    const chain = out.data?.chain as Array<{
      subject: string;
      fingerprint256: string;
      subjectAltName: string;
    }>;
    expect(chain).toHaveLength(2);
    expect(chain[0]?.fingerprint256).toBe(new X509Certificate(pki.leaf.certPem).fingerprint256);
    expect(chain[0]?.subjectAltName).toContain('DNS:localhost');
    expect(chain[1]?.subject).toContain('Intermediate');
    expect(out.data?.trustedBy).toBe('public');
  });

  it('healthy chain trusted only through --ca-file -> CERT_PRIVATE_ROOT warning naming the CA', async () => {
    const { out } = await judge('healthy');
    expect(out).toMatchObject({ status: 'warn', code: 'CERT_PRIVATE_ROOT' });
    expect(out.detail).toContain('"cortex-sso Test Root CA" from --ca-file');
    expect(out.detail).toContain("Cortex's servers see a different certificate");
    expect(out.data?.trustedBy).toBe('ca-file');
  });

  it('expired leaf -> CERT_EXPIRED', async () => {
    const { out } = await judge('expired');
    expect(out).toMatchObject({ status: 'fail', code: 'CERT_EXPIRED' });
    expect(out.detail).toMatch(/the leaf "localhost" expired on \d{4}-\d\d-\d\d/);
  });

  it('not yet valid leaf -> CERT_NOT_YET_VALID', async () => {
    const { out } = await judge('notYetValid');
    expect(out).toMatchObject({ status: 'fail', code: 'CERT_NOT_YET_VALID' });
    expect(out.detail).toContain('is valid only from');
  });

  it('expiring in 10 days with --warn-days 30 -> CERT_EXPIRES_SOON warning', async () => {
    const { out } = await judge('expiresIn10Days', { publicRoots: [pki.root.certPem], warnDays: 30 });
    expect(out).toMatchObject({ status: 'warn', code: 'CERT_EXPIRES_SOON' });
    expect(out.detail).toContain('in 10 days (warning window 30 days)');
  });

  it('expiring in 10 days with --warn-days 5 passes', async () => {
    const { out } = await judge('expiresIn10Days', { publicRoots: [pki.root.certPem], warnDays: 5 });
    expect(out.status).toBe('pass');
  });

  it('leaf for another host -> CERT_HOSTNAME_MISMATCH', async () => {
    const { out } = await judge('wrongHost');
    expect(out).toMatchObject({ status: 'fail', code: 'CERT_HOSTNAME_MISMATCH' });
    expect(out.detail).toContain('DNS:other.example, not localhost');
  });

  it('self-signed leaf -> CERT_SELF_SIGNED', async () => {
    const { out } = await judge('selfSigned');
    expect(out).toMatchObject({ status: 'fail', code: 'CERT_SELF_SIGNED' });
    expect(out.detail).toContain('signs itself');
  });

  it('intermediate not sent -> CERT_CHAIN_INCOMPLETE', async () => {
    const { out } = await judge('missingIntermediate');
    expect(out).toMatchObject({ status: 'fail', code: 'CERT_CHAIN_INCOMPLETE' });
    expect(out.detail).toContain('only the leaf');
    expect(out.detail).toContain('"cortex-sso Test Intermediate CA" was not sent');
  });

  it('chain from a root not trusted here -> CERT_UNTRUSTED_ROOT', async () => {
    const { out } = await judge('unknownRoot');
    expect(out).toMatchObject({ status: 'fail', code: 'CERT_UNTRUSTED_ROOT' });
    expect(out.detail).toContain('"Other Inspection Root CA", which is not a trusted root here');
  });

  it('untrusted root sent in the chain (SELF_SIGNED_CERT_IN_CHAIN) -> CERT_UNTRUSTED_ROOT', async () => {
    const { out } = await judge('unknownRootSent');
    expect(out).toMatchObject({ status: 'fail', code: 'CERT_UNTRUSTED_ROOT' });
    expect(out.detail).toContain('the server sent the root "Other Inspection Root CA"');
    expect(out.data?.chain).toHaveLength(3);
  });

  it('an inspection root given via NODE_EXTRA_CA_CERTS is named as such', async () => {
    const { writeTempPem } = await import('../support/net-check-context.ts');
    const file = writeTempPem([sc.otherRootPem]);
    const { out } = await judge('unknownRoot', { env: { NODE_EXTRA_CA_CERTS: file } });
    expect(out).toMatchObject({ status: 'warn', code: 'CERT_PRIVATE_ROOT' });
    expect(out.detail).toContain('"Other Inspection Root CA" from NODE_EXTRA_CA_CERTS');
  });

  it('CORTEX_SSO_PUBLIC_CA_FILE makes a root count as public', async () => {
    const { writeTempPem } = await import('../support/net-check-context.ts');
    const { out } = await judge('healthy', {
      env: { CORTEX_SSO_PUBLIC_CA_FILE: writeTempPem([pki.root.certPem]) },
    });
    expect(out.status).toBe('pass');
  });
});
