// A throwaway PKI for tests and the demo: a root, an intermediate, and leaves for every
// certificate failure the diagnose checks must recognise. Pure JS (@peculiar/x509 on WebCrypto),
// so it runs the same on Linux, macOS and Windows. Imported by plain `node` (scripts/demo.ts):
// keep to erasable TypeScript and `.ts` import paths.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface TestCa {
  name: string;
  cert: x509.X509Certificate;
  certPem: string;
  keys: CryptoKeyPair;
}

export interface TestLeaf {
  certPem: string;
  keyPem: string;
  /** Leaf plus intermediates, what a correctly configured server sends. */
  chainPem: string;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

function pem(cert: x509.X509Certificate): string {
  return `${cert.toString('pem')}\n`;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
}

/**
 * A distinguished name with chosen string types, RDNs in the order given, e.g.
 * `x509Name([{ '2.5.4.3': [{ printableString: 'Root' }] }])` (@peculiar/x509's JSON form).
 */
export function x509Name(rdns: x509.JsonNameParams): x509.Name {
  return new x509.Name(rdns);
}

/** Name options: write a subject or issuer with chosen string types (see x509Name). */
export interface NameOptions {
  /** The certificate's subject, instead of `CN=<name>, O=cortex-sso tests`. */
  subject?: x509.Name;
  /** The issuer field as written (intermediates): another encoding of the parent's subject, say. */
  issuer?: x509.Name;
}

/** A self-signed root CA. */
export async function createRootCa(
  name = 'cortex-sso Test Root CA',
  opts: NameOptions = {},
): Promise<TestCa> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: opts.subject ?? `CN=${name}, O=cortex-sso tests`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { name, cert, certPem: pem(cert), keys };
}

/** An intermediate CA signed by `parent`. */
export async function createIntermediateCa(
  parent: TestCa,
  name = 'cortex-sso Test Intermediate CA',
  opts: NameOptions = {},
): Promise<TestCa> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: opts.subject ?? `CN=${name}, O=cortex-sso tests`,
    issuer: opts.issuer ?? parent.cert.subjectName,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 1825 * DAY),
    publicKey: keys.publicKey,
    signingKey: parent.keys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(parent.keys.publicKey),
    ],
  });
  return { name, cert, certPem: pem(cert), keys };
}

/**
 * A cross-certificate: `ca`'s subject and key, issued by `by`. A server that sends it offers a
 * second path, from `ca` up to `by`.
 */
export async function crossCertificate(ca: TestCa, by: TestCa): Promise<string> {
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: ca.cert.subjectName,
    issuer: by.cert.subjectName,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 1825 * DAY),
    publicKey: ca.keys.publicKey,
    signingKey: by.keys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(ca.keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(by.keys.publicKey),
    ],
  });
  return pem(cert);
}

export interface LeafOptions {
  /** DNS names and IP addresses for the SAN. Default: localhost, 127.0.0.1, ::1. */
  hosts?: string[];
  notBefore?: Date;
  notAfter?: Date;
  /** Sign with its own key (a self-signed leaf). */
  selfSigned?: boolean;
}

/** A server certificate signed by `ca` (normally the intermediate). */
export async function issueLeaf(
  ca: TestCa,
  opts: LeafOptions = {},
  chain: TestCa[] = [ca],
): Promise<TestLeaf> {
  const hosts = opts.hosts ?? ['localhost', '127.0.0.1', '::1'];
  const keys = await newKeys();
  const san = new x509.SubjectAlternativeNameExtension(
    hosts.map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h })),
  );
  const common = {
    serialNumber: randomSerial(),
    notBefore: opts.notBefore ?? new Date(Date.now() - DAY),
    notAfter: opts.notAfter ?? new Date(Date.now() + 365 * DAY),
    signingAlgorithm: ALG,
  };
  const leafExt = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    san,
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const subject = `CN=${hosts[0] ?? 'localhost'}, O=cortex-sso tests`;
  const cert = opts.selfSigned
    ? await x509.X509CertificateGenerator.createSelfSigned({
        ...common,
        name: subject,
        keys,
        extensions: leafExt,
      })
    : await x509.X509CertificateGenerator.create({
        ...common,
        subject,
        issuer: ca.cert.subject,
        publicKey: keys.publicKey,
        signingKey: ca.keys.privateKey,
        extensions: [...leafExt, await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey)],
      });
  const certPem = pem(cert);
  const intermediates = opts.selfSigned ? [] : chain.filter((c) => !isSelfSigned(c)).map((c) => c.certPem);
  return { certPem, keyPem: await keyPem(keys.privateKey), chainPem: certPem + intermediates.join('') };
}

function isSelfSigned(ca: TestCa): boolean {
  return ca.cert.subject === ca.cert.issuer;
}

function randomSerial(): string {
  // Positive 16-byte serial.
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0] ?? 0) & 0x7f;
  return Buffer.from(b).toString('hex');
}

export interface TestPki {
  root: TestCa;
  intermediate: TestCa;
  /** A healthy leaf for localhost / 127.0.0.1 / ::1, chain = leaf + intermediate. */
  leaf: TestLeaf;
  issueLeaf(opts?: LeafOptions): Promise<TestLeaf>;
}

/** Root -> intermediate -> localhost leaf. Trust `root.certPem` (e.g. --ca-file) to trust the chain. */
export async function createTestPki(rootName?: string): Promise<TestPki> {
  const root = await createRootCa(rootName);
  const intermediate = await createIntermediateCa(root);
  const leaf = await issueLeaf(intermediate, {}, [intermediate]);
  return {
    root,
    intermediate,
    leaf,
    issueLeaf: (opts) => issueLeaf(intermediate, opts, [intermediate]),
  };
}
