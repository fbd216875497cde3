import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check as certificate } from '../../src/checks/certificate.ts';
import { check as tlsCheck } from '../../src/checks/tls.ts';
import type { CheckContext, CheckOutcome } from '../../src/checks/types.ts';
import { type NetCtxOptions, netCtx, netTarget } from '../support/net-check-context.ts';
import {
  createIntermediateCa,
  createRootCa,
  createTestPki,
  crossCertificate,
  issueLeaf,
  type TestPki,
  x509Name,
} from '../support/pki.ts';
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

  describe('which roots a verdict costs', () => {
    /** Run tls then certificate against a server sending `chainPem`; also count its handshakes. */
    async function judgeChain(leaf: { keyPem: string }, chainPem: string, ctxOpts: NetCtxOptions) {
      const s = await startTlsServer({ keyPem: leaf.keyPem, certPem: chainPem });
      servers.push(s);
      const ctx = netCtx(ctxOpts);
      const target = netTarget('localhost', s.port);
      expect((await tlsCheck.run(target, ctx)).status).toBe('pass');
      const out = (await certificate.run(target, ctx)) as CheckOutcome;
      return { out, handshakes: s.handshakes?.() };
    }

    it('a chain to a private root costs one verifying handshake: no public root could anchor it, so none is asked', async () => {
      const { out, handshakes } = await judgeChain(pki.leaf, pki.leaf.chainPem, {
        caPems: [pki.root.certPem],
      });
      expect(out).toMatchObject({ status: 'warn', code: 'CERT_PRIVATE_ROOT' });
      // The tls check's handshake (the chain as sent) and the certificate check's verifying one.
      expect(handshakes).toBe(2);
    });

    it('names that differ only in string type, case and spacing are the same issuer, for OpenSSL and for the root lookup', async () => {
      // The root writes its name in PrintableString; the intermediate names its issuer in UTF8String
      // and BMPString, in other letter case, with extra spaces. OpenSSL compares names canonically.
      const root = await createRootCa('Mixed Case Root', {
        subject: x509Name([
          { '2.5.4.10': [{ printableString: 'cortex-sso tests' }] },
          { '2.5.4.3': [{ printableString: 'Mixed Case Root' }] },
        ]),
      });
      const intermediate = await createIntermediateCa(root, 'Mixed Case Intermediate', {
        issuer: x509Name([
          { '2.5.4.10': [{ utf8String: 'CORTEX-SSO  tests' }] },
          { '2.5.4.3': [{ bmpString: '  mixed CASE   root ' }] },
        ]),
      });
      const leaf = await issueLeaf(intermediate, {}, [intermediate]);
      const { out, handshakes } = await judgeChain(leaf, leaf.chainPem, { caPems: [root.certPem] });
      expect(out).toMatchObject({ status: 'warn', code: 'CERT_PRIVATE_ROOT' });
      expect(out.detail).toContain('"Mixed Case Root" from --ca-file');
      // Had the lookup missed the root, the whole first stage would have been tried too (a third).
      expect(handshakes).toBe(2);
    });

    it('a private root cross-signed by a public one is not reported as private when the server sends the cross-certificate', async () => {
      const publicRoot = await createRootCa('Cross Public Root');
      const cross = await crossCertificate(pki.root, publicRoot);
      const { out, handshakes } = await judgeChain(pki.leaf, pki.leaf.chainPem + cross, {
        caPems: [pki.root.certPem],
        publicRoots: [publicRoot.certPem],
      });
      expect(out.status).toBe('pass');
      expect(out.data?.trustedBy).toBe('public');
      // The public root names the cross-certificate's issuer, so it is among the roots of the one
      // verifying handshake, and the chain leads up to it.
      expect(handshakes).toBe(2);
    });

    it('a server that sends its private root and a cross-certificate: the public path is still found', async () => {
      const publicRoot = await createRootCa('Cross Public Root');
      const cross = await crossCertificate(pki.root, publicRoot);
      // The chain as read runs on past the sent root: the cross-certificate issues it too (same
      // name), so the public root that issued the cross-certificate is a candidate as well.
      const { out, handshakes } = await judgeChain(pki.leaf, pki.leaf.chainPem + pki.root.certPem + cross, {
        caPems: [pki.root.certPem],
        publicRoots: [publicRoot.certPem],
      });
      expect(out.status).toBe('pass');
      expect(out.data?.trustedBy).toBe('public');
      expect(handshakes).toBe(2);
    });

    it("a public root that only shares the private root's name is asked, and does not vouch for the chain", async () => {
      // Same subject as pki.root, another key: a candidate by name, refused by OpenSSL by signature.
      const namesake = await createRootCa(pki.root.name);
      const { out, handshakes } = await judgeChain(pki.leaf, pki.leaf.chainPem, {
        caPems: [pki.root.certPem],
        publicRoots: [namesake.certPem],
      });
      expect(out).toMatchObject({ status: 'warn', code: 'CERT_PRIVATE_ROOT' });
      expect(out.data?.trustedBy).toBe('ca-file');
      expect(handshakes).toBe(3);
    });

    it('an untrusted chain asks each distinct set of roots once', async () => {
      // No OS store and no NODE_EXTRA_CA_CERTS here: the last stage holds the same roots as the
      // first, so one verifying handshake gives the verdict.
      const { out, handshakes } = await judgeChain(
        { keyPem: sc.unknownRoot.keyPem },
        sc.unknownRoot.certPem,
        {
          caPems: [pki.root.certPem],
        },
      );
      expect(out).toMatchObject({ status: 'fail', code: 'CERT_UNTRUSTED_ROOT' });
      expect(handshakes).toBe(2);
    });

    it('without the cross-certificate the same chain is trusted only through --ca-file', async () => {
      const publicRoot = await createRootCa('Cross Public Root');
      const { out } = await judgeChain(pki.leaf, pki.leaf.chainPem, {
        caPems: [pki.root.certPem],
        publicRoots: [publicRoot.certPem],
      });
      expect(out).toMatchObject({ status: 'warn', code: 'CERT_PRIVATE_ROOT' });
    });
  });
});
