// Name keys read from DER (src/net/x509-names.ts): equal where OpenSSL's X509_NAME_cmp says equal
// (string type, ASCII case and spacing do not count), different where it says different, and never
// an exception, whatever the bytes.
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTrustStore } from '../../src/net/trust.ts';
import { certNames, pemToDer } from '../../src/net/x509-names.ts';
import { createIntermediateCa, createRootCa, createTestPki, type TestPki, x509Name } from '../support/pki.ts';

const der = (pem: string) => new X509Certificate(pem).raw;

describe('certNames', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki();
  });

  it('reads the names of a real chain: the leaf names its issuer as the intermediate names itself', () => {
    const root = certNames(der(pki.root.certPem));
    const intermediate = certNames(der(pki.intermediate.certPem));
    const leaf = certNames(der(pki.leaf.certPem));
    expect(root?.selfIssued).toBe(true);
    expect(root?.issuer).toBe(root?.subject);
    expect(intermediate?.selfIssued).toBe(false);
    expect(intermediate?.issuer).toBe(root?.subject);
    expect(leaf?.issuer).toBe(intermediate?.subject);
    expect(leaf?.subject).not.toBe(intermediate?.subject);
  });

  it('PEM and DER give the same certificate', () => {
    expect(pemToDer(pki.leaf.certPem)?.equals(der(pki.leaf.certPem))).toBe(true);
    expect(pemToDer(pki.leaf.certPem.replaceAll('\n', '\r\n'))?.equals(der(pki.leaf.certPem))).toBe(true);
    expect(pemToDer('no certificate here')).toBeUndefined();
  });

  /** The subject key of a root whose CN is written with this string type and text. */
  async function cnKey(
    type: 'printableString' | 'utf8String' | 'bmpString' | 'universalString' | 'ia5String',
    text: string,
  ) {
    const ca = await createRootCa('x', { subject: x509Name([{ '2.5.4.3': [{ [type]: text }] }]) });
    return certNames(der(ca.certPem))?.subject;
  }

  it('string type, ASCII letter case and runs of spaces do not count, as for OpenSSL', async () => {
    const base = await cnKey('printableString', 'Mixed Case Root');
    expect(base).toBeDefined();
    expect(await cnKey('utf8String', '  mixed   CASE root ')).toBe(base);
    expect(await cnKey('bmpString', 'MIXED CASE ROOT')).toBe(base);
    expect(await cnKey('universalString', 'mixed case root')).toBe(base);
    expect(await cnKey('ia5String', 'Mixed\tCase  Root')).toBe(base);
  });

  it('other characters do count: punctuation, and the case of non-ASCII letters', async () => {
    expect(await cnKey('utf8String', 'Mixed-Case Root')).not.toBe(
      await cnKey('utf8String', 'Mixed Case Root'),
    );
    // OpenSSL lower-cases ASCII only: "Ü" and "ü" differ, "R" and "r" do not.
    expect(await cnKey('utf8String', 'Zürich Root')).toBe(await cnKey('bmpString', 'ZüRICH ROOT'));
    expect(await cnKey('utf8String', 'Zürich Root')).not.toBe(await cnKey('utf8String', 'ZÜrich Root'));
  });

  it('an intermediate naming its issuer in another encoding still points at that root', async () => {
    const root = await createRootCa('r', {
      subject: x509Name([
        { '2.5.4.10': [{ printableString: 'Org' }] },
        { '2.5.4.3': [{ printableString: 'Root' }] },
      ]),
    });
    const intermediate = await createIntermediateCa(root, 'i', {
      issuer: x509Name([{ '2.5.4.10': [{ utf8String: 'ORG' }] }, { '2.5.4.3': [{ bmpString: ' root' }] }]),
    });
    expect(certNames(der(intermediate.certPem))?.issuer).toBe(certNames(der(root.certPem))?.subject);
  });

  it("every real root (Node's bundled ones, this machine's OS store) is read by name and is its own candidate", () => {
    const roots = [...new Set([...tls.rootCertificates, ...tls.getCACertificates('system')])];
    expect(roots.length).toBeGreaterThan(100);
    const trust = createTrustStore({ env: {}, publicRootsOverride: tls.rootCertificates });
    for (const pem of roots) {
      const raw = der(pem);
      const names = certNames(raw);
      expect(names, new X509Certificate(pem).subject).toBeDefined();
      if (!names?.selfIssued) continue; // a cross-certificate in the store: its issuer is elsewhere
      // A chain that ends in this root (sent by the server) finds it among the candidates.
      expect(trust.candidates([raw], 'all'), new X509Certificate(pem).subject).toContain(
        trust.all().find((p) => der(p).equals(raw)),
      );
    }
  });

  it('never throws: arbitrary bytes and damaged certificates give names or undefined', () => {
    const real = der(pki.leaf.certPem);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const r = certNames(bytes);
        return r === undefined || (typeof r.issuer === 'string' && typeof r.subject === 'string');
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: real.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          maxLength: 8,
        }),
        fc.nat({ max: real.length }),
        (edits, cut) => {
          const bytes = Buffer.from(real);
          for (const [at, value] of edits) bytes[at] = value;
          const r = certNames(bytes.subarray(0, cut));
          return r === undefined || typeof r.subject === 'string';
        },
      ),
      { numRuns: 3000 },
    );
  });
});
