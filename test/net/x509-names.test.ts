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

  describe('canonical as OpenSSL compares names (generated names)', () => {
    /** DER: tag, length, contents. */
    const tlv = (tag: number, body: Buffer): Buffer => {
      const n = body.length;
      const len =
        n < 0x80
          ? Buffer.from([n])
          : n < 0x100
            ? Buffer.from([0x81, n])
            : Buffer.from([0x82, n >> 8, n & 0xff]);
      return Buffer.concat([Buffer.from([tag]), len, body]);
    };
    const CN = Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03]);
    const O = Buffer.from([0x06, 0x03, 0x55, 0x04, 0x0a]);
    type Str = { type: 'printable' | 'utf8' | 'bmp' | 'universal' | 'ia5'; text: string };
    const value = ({ type, text }: Str): Buffer => {
      switch (type) {
        case 'printable':
          return tlv(0x13, Buffer.from(text, 'latin1'));
        case 'ia5':
          return tlv(0x16, Buffer.from(text, 'latin1'));
        case 'utf8':
          return tlv(0x0c, Buffer.from(text, 'utf8'));
        case 'bmp':
          return tlv(0x1e, Buffer.from(text, 'utf16le').swap16());
        case 'universal': {
          const cps = [...text].map((c) => c.codePointAt(0) as number);
          const b = Buffer.alloc(cps.length * 4);
          for (const [i, cp] of cps.entries()) b.writeUInt32BE(cp, i * 4);
          return tlv(0x1c, b);
        }
      }
    };
    const name = (org: Str, cn: Str): Buffer =>
      tlv(
        0x30,
        Buffer.concat([
          tlv(0x31, tlv(0x30, Buffer.concat([O, value(org)]))),
          tlv(0x31, tlv(0x30, Buffer.concat([CN, value(cn)]))),
        ]),
      );
    /** Just enough of a certificate for certNames: version, serial, algorithm, issuer, validity, subject. */
    const cert = (issuer: Buffer, subject: Buffer): Buffer =>
      tlv(
        0x30,
        tlv(
          0x30,
          Buffer.concat([
            tlv(0xa0, tlv(0x02, Buffer.from([2]))),
            tlv(0x02, Buffer.from([1])),
            tlv(0x30, Buffer.from([0x06, 0x01, 0x2a])),
            issuer,
            tlv(0x30, Buffer.alloc(0)),
            subject,
          ]),
        ),
      );
    const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.-]{0,11}$/);
    const words = fc.array(word, { minLength: 1, maxLength: 4 });
    const type = fc.constantFrom<Str['type']>('printable', 'utf8', 'bmp', 'universal', 'ia5');
    /** The same words as OpenSSL sees them, written differently: case flipped, spaces added. */
    const restyle = (ws: string[], flips: boolean[], pad: number) =>
      `${' '.repeat(pad)}${ws
        .map((w, i) => (flips[i % flips.length] ? w.toUpperCase() : w.toLowerCase()))
        .join(' '.repeat(1 + (pad % 3)))}${'\t'.repeat(pad % 2)}`;

    it('the same words in any string type, letter case and spacing give the same key', () => {
      fc.assert(
        fc.property(
          words,
          words,
          type,
          type,
          fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
          fc.nat({ max: 4 }),
          (cnWords, orgWords, t1, t2, flips, pad) => {
            const a = name({ type: t1, text: orgWords.join(' ') }, { type: t1, text: cnWords.join(' ') });
            const b = name(
              { type: t2, text: restyle(orgWords, flips, pad + 1) },
              { type: t2, text: restyle(cnWords, flips, pad) },
            );
            const one = certNames(cert(a, a));
            const two = certNames(cert(b, b));
            return one !== undefined && two !== undefined && one.subject === two.subject && one.selfIssued;
          },
        ),
        { numRuns: 2000 },
      );
    });

    it('different common names give different keys', () => {
      fc.assert(
        fc.property(words, words, type, (x, y, t) => {
          fc.pre(x.join(' ').toLowerCase() !== y.join(' ').toLowerCase());
          const org: Str = { type: t, text: 'Org' };
          const one = certNames(
            cert(name(org, { type: t, text: x.join(' ') }), name(org, { type: t, text: x.join(' ') })),
          );
          const two = certNames(
            cert(name(org, { type: t, text: y.join(' ') }), name(org, { type: t, text: y.join(' ') })),
          );
          return one?.subject !== two?.subject;
        }),
        { numRuns: 2000 },
      );
    });
  });
});
