import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { CortexSsoError } from '../errors.js';
import type { TrustStore } from './context.js';

export interface TrustStoreOptions {
  /** --ca-file: PEM bundle of extra roots (e.g. the company's TLS-inspection CA). */
  caFile?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Replace Node's bundled public roots (tests). */
  publicRootsOverride?: readonly string[];
  /** Read the OS store (default true). */
  includeSystem?: boolean;
}

const PEM_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Split a PEM bundle into certificates, keeping only the ones that parse. */
export function splitPem(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    try {
      new X509Certificate(m[0]);
      out.push(`${m[0]}\n`);
    } catch {
      // skip what does not parse
    }
  }
  return out;
}

/** Read a PEM file of CA certificates; a missing, unreadable or certificate-less file is a usage error naming it. */
export function readCaFile(path: string, what: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as { code?: string }).code ?? 'unreadable';
    throw new CortexSsoError('USAGE', `${what} ${path} cannot be read (${reason}).`, { cause: err });
  }
  const certs = splitPem(text);
  if (certs.length === 0) {
    throw new CortexSsoError('USAGE', `${what} ${path} contains no PEM certificate.`, {
      detail: 'Expected one or more "-----BEGIN CERTIFICATE-----" blocks.',
    });
  }
  return certs;
}

function systemRoots(): string[] {
  try {
    return [...tls.getCACertificates('system')];
  } catch {
    return [];
  }
}

/**
 * The trust anchors of a run. `publicRoots`: Node's bundled roots (tls.rootCertificates), plus the
 * PEM roots in CORTEX_SSO_PUBLIC_CA_FILE, which is for tests and air-gapped mirrors: roots listed there
 * are treated as public (no CERT_PRIVATE_ROOT warning). `extraRoots`: --ca-file (validated: a bad file is
 * a USAGE error), NODE_EXTRA_CA_CERTS (best effort, like Node, which only warns) and the OS store.
 */
export function createTrustStore(opts: TrustStoreOptions): TrustStore {
  // Files the user named are read now: a bad one is a usage error before anything runs.
  const publicFile = opts.env.CORTEX_SSO_PUBLIC_CA_FILE?.trim();
  const publicExtra = publicFile ? readCaFile(publicFile, 'CORTEX_SSO_PUBLIC_CA_FILE') : [];
  const caFileRoots = opts.caFile !== undefined ? readCaFile(opts.caFile, 'The --ca-file') : [];

  // The big lists (Node's roots, NODE_EXTRA_CA_CERTS, the OS store: hundreds of certificates) are
  // built on first use only, so a run that stops before any TLS work does not pay for them.
  let publicRoots: string[] | undefined;
  let extraRoots: TrustStore['extraRoots'] | undefined;
  let all: readonly string[] | undefined;
  const pub = (): string[] => {
    publicRoots ??= [...(opts.publicRootsOverride ?? tls.rootCertificates), ...publicExtra];
    return publicRoots;
  };
  const extra = (): TrustStore['extraRoots'] => {
    if (extraRoots) return extraRoots;
    const list: Array<{ source: 'ca-file' | 'NODE_EXTRA_CA_CERTS' | 'system'; pem: string }> =
      caFileRoots.map((pem) => ({ source: 'ca-file' as const, pem }));
    const extraFile = opts.env.NODE_EXTRA_CA_CERTS?.trim();
    if (extraFile) {
      try {
        for (const pem of readCaFile(extraFile, 'NODE_EXTRA_CA_CERTS'))
          list.push({ source: 'NODE_EXTRA_CA_CERTS', pem });
      } catch {
        // Node itself only warns about a bad NODE_EXTRA_CA_CERTS; do the same (ignore it).
      }
    }
    if (opts.includeSystem !== false) {
      for (const pem of systemRoots()) list.push({ source: 'system', pem });
    }
    extraRoots = list;
    return list;
  };
  return {
    get publicRoots() {
      return pub();
    },
    get extraRoots() {
      return extra();
    },
    // One array for the whole run, so TLS contexts built from it are cached (src/net/secure-context.ts).
    all: () => {
      all ??= Object.freeze([...pub(), ...extra().map((r) => r.pem)]);
      return all as string[];
    },
  };
}
