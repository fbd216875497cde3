import { createHash, X509Certificate } from 'node:crypto';
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

export type TrustSource = 'public' | TrustStore['extraRoots'][number]['source'];

const PEM_RE = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g;

/** The certificate's DER as base64 without whitespace: the identity used to de-duplicate roots. */
function derKey(pem: string): string {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  return (m?.[1] ?? pem).replace(/[^A-Za-z0-9+/=]/g, '');
}

/**
 * SHA-256 of a certificate's DER, formatted like X509Certificate.fingerprint256 ("AB:CD:..."),
 * computed without parsing the certificate.
 */
export function fingerprintOfPem(pem: string): string {
  const hex = createHash('sha256')
    .update(Buffer.from(derKey(pem), 'base64'))
    .digest('hex')
    .toUpperCase();
  return hex.replace(/(..)(?!$)/g, '$1:');
}

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

/** NODE_EXTRA_CA_CERTS, best effort: only the certificates not seen yet are parsed (it often repeats the OS bundle). */
function readExtraFile(path: string, seen: Set<string>): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return []; // Node itself only warns about a bad NODE_EXTRA_CA_CERTS; do the same (ignore it).
  }
  const out: string[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    const key = derKey(m[0]);
    if (seen.has(key)) continue;
    try {
      new X509Certificate(m[0]);
    } catch {
      continue;
    }
    seen.add(key);
    out.push(`${m[0]}\n`);
  }
  return out;
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
 *
 * Every certificate appears once (by DER): the OS store and NODE_EXTRA_CA_CERTS usually repeat the
 * public roots and each other (839 certificates, 170 distinct, on a typical Linux machine), and every
 * duplicate costs a parse in each TLS context built from the list. A root found in several places
 * keeps its first source, in the order public, --ca-file, NODE_EXTRA_CA_CERTS, OS store.
 */
export function createTrustStore(opts: TrustStoreOptions): TrustStore {
  // Files the user named are read now: a bad one is a usage error before anything runs.
  const publicFile = opts.env.CORTEX_SSO_PUBLIC_CA_FILE?.trim();
  const publicExtra = publicFile ? readCaFile(publicFile, 'CORTEX_SSO_PUBLIC_CA_FILE') : [];
  const caFileRoots = opts.caFile !== undefined ? readCaFile(opts.caFile, 'The --ca-file') : [];

  // The big lists (Node's roots, NODE_EXTRA_CA_CERTS, the OS store: hundreds of certificates) are
  // built on first use only, so a run that stops before any TLS work does not pay for them.
  const seen = new Set<string>();
  const unique = (pems: readonly string[]): string[] =>
    pems.filter((pem) => {
      const key = derKey(pem);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  let publicRoots: string[] | undefined;
  let caFile: string[] | undefined;
  let extraRoots: TrustStore['extraRoots'] | undefined;
  let first: readonly string[] | undefined;
  let all: readonly string[] | undefined;
  const pub = (): string[] => {
    publicRoots ??= unique([...(opts.publicRootsOverride ?? tls.rootCertificates), ...publicExtra]);
    return publicRoots;
  };
  const ca = (): string[] => {
    pub(); // public roots claim their certificates first
    caFile ??= unique(caFileRoots);
    return caFile;
  };
  const extra = (): TrustStore['extraRoots'] => {
    if (extraRoots) return extraRoots;
    const list: Array<{ source: 'ca-file' | 'NODE_EXTRA_CA_CERTS' | 'system'; pem: string }> = ca().map(
      (pem) => ({ source: 'ca-file' as const, pem }),
    );
    const extraFile = opts.env.NODE_EXTRA_CA_CERTS?.trim();
    if (extraFile) {
      for (const pem of readExtraFile(extraFile, seen)) list.push({ source: 'NODE_EXTRA_CA_CERTS', pem });
    }
    if (opts.includeSystem !== false) {
      for (const pem of unique(systemRoots())) list.push({ source: 'system', pem });
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
    // The first stage: what the user named plus the public roots. Reading the OS store and
    // NODE_EXTRA_CA_CERTS (hundreds of certificates, mostly repeats) is left for chains that need them.
    firstStage: () => {
      first ??= Object.freeze([...pub(), ...ca()]);
      return first as string[];
    },
    // One array for the whole run, so TLS contexts built from it are cached (src/net/secure-context.ts).
    all: () => {
      all ??= Object.freeze([...pub(), ...extra().map((r) => r.pem)]);
      return all as string[];
    },
  };
}

export interface AnchorIndex {
  /**
   * Where a root (by fingerprint256) comes from, or undefined when it is not a root of this run.
   * Public roots and --ca-file are looked up first; the OS store and NODE_EXTRA_CA_CERTS are read
   * only for a fingerprint found in neither.
   */
  sourceOf(fingerprint256: string): TrustSource | undefined;
}

const indexes = new WeakMap<TrustStore, AnchorIndex>();

/** A lookup of the run's roots, built once per trust store from the DER (no certificate parsing). */
export function anchorIndex(trust: TrustStore): AnchorIndex {
  const cached = indexes.get(trust);
  if (cached) return cached;
  let publicFps: Set<string> | undefined;
  let firstFps: Set<string> | undefined;
  let extraBySource: Map<string, TrustSource> | undefined;
  const index: AnchorIndex = {
    sourceOf(fp) {
      publicFps ??= new Set(trust.publicRoots.map(fingerprintOfPem));
      if (publicFps.has(fp)) return 'public';
      if (trust.firstStage) {
        firstFps ??= new Set(trust.firstStage().map(fingerprintOfPem));
        if (firstFps.has(fp)) return 'ca-file';
      }
      if (!extraBySource) {
        extraBySource = new Map();
        for (const r of trust.extraRoots) {
          const key = fingerprintOfPem(r.pem);
          if (!extraBySource.has(key)) extraBySource.set(key, r.source);
        }
      }
      return extraBySource.get(fp);
    },
  };
  indexes.set(trust, index);
  return index;
}
