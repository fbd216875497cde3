import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import tls from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { CortexSsoError } from '../../src/errors.ts';
import { createTrustStore } from '../../src/net/trust.ts';
import { writeTempPem } from '../support/net-check-context.ts';
import { createTestPki, type TestPki } from '../support/pki.ts';

describe('createTrustStore', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki();
  });

  it("public = Node's bundled roots; --ca-file and NODE_EXTRA_CA_CERTS are extra", () => {
    const ca = writeTempPem([pki.root.certPem]);
    const extra = writeTempPem([pki.intermediate.certPem]);
    const t = createTrustStore({ caFile: ca, env: { NODE_EXTRA_CA_CERTS: extra }, includeSystem: false });
    expect(t.publicRoots).toEqual(tls.rootCertificates);
    expect(t.extraRoots.map((r) => r.source)).toEqual(['ca-file', 'NODE_EXTRA_CA_CERTS']);
    expect(t.all()).toHaveLength(tls.rootCertificates.length + 2);
  });

  it('includes the OS store as "system" by default, each root once', () => {
    const t = createTrustStore({ env: {} });
    const system = tls.getCACertificates('system');
    const der = (pem: string) => new X509Certificate(pem).fingerprint256;
    const publicFps = new Set(tls.rootCertificates.map(der));
    const distinctPrivate = new Set(system.map(der).filter((fp) => !publicFps.has(fp)));
    expect(t.extraRoots.filter((r) => r.source === 'system')).toHaveLength(distinctPrivate.size);
    expect(new Set(t.all().map(der)).size).toBe(t.all().length);
  });

  it('de-duplicates by DER: a root repeated in --ca-file, NODE_EXTRA_CA_CERTS and the public set appears once, with its first source', () => {
    const ca = writeTempPem([pki.root.certPem, pki.root.certPem.replaceAll('\n', '\r\n')]);
    const extra = writeTempPem([pki.root.certPem, pki.intermediate.certPem, pki.intermediate.certPem]);
    const t = createTrustStore({
      caFile: ca,
      env: { NODE_EXTRA_CA_CERTS: extra },
      publicRootsOverride: [pki.intermediate.certPem],
      includeSystem: false,
    });
    expect(t.publicRoots).toEqual([pki.intermediate.certPem]);
    expect(t.extraRoots.map((r) => r.source)).toEqual(['ca-file']);
    expect(t.all()).toHaveLength(2);
    expect(t.sourceOf(pki.root.certPem)).toBe('ca-file');
    // The same certificate in another PEM layout is the same root.
    expect(t.sourceOf(pki.intermediate.certPem.replaceAll('\n', '\r\n'))).toBe('public');
    expect(t.sourceOf(pki.leaf.certPem)).toBeUndefined();
  });

  it('stages: the first stage is the public roots and --ca-file; NODE_EXTRA_CA_CERTS joins only in all()', () => {
    const ca = writeTempPem([pki.root.certPem]);
    const extra = writeTempPem([pki.intermediate.certPem]);
    const t = createTrustStore({
      caFile: ca,
      env: { NODE_EXTRA_CA_CERTS: extra },
      publicRootsOverride: [],
      includeSystem: false,
    });
    expect(t.firstStage?.()).toEqual([pki.root.certPem]);
    expect(t.all()).toEqual([pki.root.certPem, pki.intermediate.certPem]);
    expect(t.sourceOf(pki.intermediate.certPem)).toBe('NODE_EXTRA_CA_CERTS');
  });

  it('a missing or certificate-less --ca-file is a USAGE error naming the file', () => {
    const empty = writeTempPem(['not a certificate\n']);
    for (const file of ['/nonexistent/ca.pem', empty]) {
      try {
        createTrustStore({ caFile: file, env: {} });
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(CortexSsoError);
        expect((err as CortexSsoError).code).toBe('USAGE');
        expect((err as CortexSsoError).message).toContain(file);
      }
    }
  });

  it('a bad NODE_EXTRA_CA_CERTS is ignored, like Node does', () => {
    const t = createTrustStore({ env: { NODE_EXTRA_CA_CERTS: '/nonexistent.pem' }, includeSystem: false });
    expect(t.extraRoots).toEqual([]);
  });

  it('CORTEX_SSO_PUBLIC_CA_FILE and publicRootsOverride are public', () => {
    const file = writeTempPem([pki.root.certPem]);
    const t = createTrustStore({
      env: { CORTEX_SSO_PUBLIC_CA_FILE: file },
      publicRootsOverride: [],
      includeSystem: false,
    });
    expect(t.publicRoots).toEqual([pki.root.certPem]);
    const garbled = writeTempPem(['x']);
    writeFileSync(garbled, 'garbage');
    expect(() => createTrustStore({ env: { CORTEX_SSO_PUBLIC_CA_FILE: garbled } })).toThrow(
      /CORTEX_SSO_PUBLIC_CA_FILE/,
    );
  });
});
