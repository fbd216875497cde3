/**
 * The sandbox's certificate authority: a root CA generated once and kept (certificate and private key,
 * PEM, 0600) so the user trusts the same file across runs, and a fresh localhost leaf it signs at each
 * start. Pure JS (@peculiar/x509 on WebCrypto): the same on Linux, macOS and Windows.
 * Loaded only by `cortex-sso sandbox` (and the demo), never by the other commands.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/** A CA as kept on disk: both PEM. */
export interface CaFiles {
  certPem: string;
  keyPem: string;
}

export interface Leaf {
  certPem: string;
  keyPem: string;
  /** Leaf only: the root signs it directly, and clients trust the root. */
  chainPem: string;
}

function b64Lines(der: ArrayBuffer): string {
  return Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return `-----BEGIN PRIVATE KEY-----\n${b64Lines(der)}\n-----END PRIVATE KEY-----\n`;
}

function pemBody(pem: string, label: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(pem);
  if (!m?.[1]) throw new Error(`no ${label} in PEM`);
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

function randomSerial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0] ?? 0) & 0x7f;
  return Buffer.from(b).toString('hex');
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
}

/** A new self-signed root CA, valid ten years. */
export async function createCa(name = 'cortex-sso Sandbox CA'): Promise<CaFiles> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${name}, O=cortex-sso sandbox`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: `${cert.toString('pem')}\n`, keyPem: await keyPem(keys.privateKey) };
}

/** True when the PEM pair parses and the certificate is valid for at least another day. */
export function caUsable(ca: CaFiles): boolean {
  try {
    const cert = new x509.X509Certificate(ca.certPem);
    pemBody(ca.keyPem, 'PRIVATE KEY');
    return cert.notAfter.getTime() > Date.now() + DAY;
  } catch {
    return false;
  }
}

/** A server certificate for `hosts` (default localhost, 127.0.0.1, ::1), signed by `ca`, valid 90 days (the checks warn within 30). */
export async function issueLeaf(ca: CaFiles, hosts = ['localhost', '127.0.0.1', '::1']): Promise<Leaf> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = (await webcrypto.subtle.importKey(
    'pkcs8',
    pemBody(ca.keyPem, 'PRIVATE KEY'),
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign'],
  )) as unknown as CryptoKey;
  const caPublic = (await caCert.publicKey.export(webcrypto as never)) as unknown as CryptoKey;
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${hosts[0] ?? 'localhost'}, O=cortex-sso sandbox`,
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 90 * DAY),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        hosts.map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h })),
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caPublic),
    ],
  });
  const certPem = `${cert.toString('pem')}\n`;
  return { certPem, keyPem: await keyPem(keys.privateKey), chainPem: certPem };
}
