import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { CortexSsoError } from '../errors.js';
import type { TrustSource, TrustStore } from './context.js';
import { type CertNames, certNames, pemToDer } from './x509-names.js';

export interface TrustStoreOptions {
  /** --ca-file: PEM bundle of extra roots (e.g. the company's TLS-inspection CA). */
  caFile?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Replace Node's bundled public roots (tests). */
  publicRootsOverride?: readonly string[];
  /** Read the OS store (default true). */
  includeSystem?: boolean;
}

export type { TrustSource };

const PEM_RE = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g;

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

interface Root {
  pem: string;
  der: Buffer;
  names: CertNames | undefined;
  source: TrustSource;
}

/**
 * Every root of a run once (by DER), findable by subject name key. The first source a root is found
 * in is its source: public, --ca-file, NODE_EXTRA_CA_CERTS, the OS store, in that order.
 */
class RootSet {
  private readonly bySubject = new Map<string, Root[]>();
  /** Roots whose names this reader cannot key: candidates for any chain. */
  readonly unreadable: Root[] = [];

  /** The root for this certificate, if it is one. */
  find(der: Buffer, names: CertNames | undefined = certNames(der)): Root | undefined {
    const list = names ? this.bySubject.get(names.subject) : this.unreadable;
    return list?.find((r) => r.der.equals(der));
  }

  /** Adds a root; undefined when it is not a certificate or is known already. */
  add(pem: string, source: TrustSource): Root | undefined {
    const der = pemToDer(pem);
    if (!der || der.length === 0) return undefined;
    const names = certNames(der);
    if (this.find(der, names)) return undefined;
    const root: Root = { pem, der, names, source };
    if (!names) this.unreadable.push(root);
    else {
      const list = this.bySubject.get(names.subject);
      if (list) list.push(root);
      else this.bySubject.set(names.subject, [root]);
    }
    return root;
  }

  withSubject(key: string): readonly Root[] {
    return this.bySubject.get(key) ?? [];
  }
}

function systemRoots(): string[] {
  try {
    return [...tls.getCACertificates('system')];
  } catch {
    return [];
  }
}

/** Which sources each stage of the store holds. */
const SCOPES: Record<'public' | 'first' | 'all', ReadonlySet<TrustSource>> = {
  public: new Set(['public']),
  first: new Set(['public', 'ca-file']),
  all: new Set(['public', 'ca-file', 'NODE_EXTRA_CA_CERTS', 'system']),
};

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
 *
 * Roots are indexed by subject name as they are added (src/net/x509-names.ts: no certificate
 * parsing, no hashing), which serves the de-duplication, `sourceOf` and `candidates`.
 */
export function createTrustStore(opts: TrustStoreOptions): TrustStore {
  // Files the user named are read now: a bad one is a usage error before anything runs.
  const publicFile = opts.env.CORTEX_SSO_PUBLIC_CA_FILE?.trim();
  const publicExtra = publicFile ? readCaFile(publicFile, 'CORTEX_SSO_PUBLIC_CA_FILE') : [];
  const caFileRoots = opts.caFile !== undefined ? readCaFile(opts.caFile, 'The --ca-file') : [];

  // The big lists (Node's roots, NODE_EXTRA_CA_CERTS, the OS store: hundreds of certificates) are
  // built on first use only, so a run that stops before any TLS work does not pay for them.
  const roots = new RootSet();
  const addAll = (pems: readonly string[], source: TrustSource): string[] =>
    pems.flatMap((pem) => (roots.add(pem, source) ? [pem] : []));
  let publicRoots: string[] | undefined;
  let caFile: string[] | undefined;
  let extraRoots: TrustStore['extraRoots'] | undefined;
  let first: readonly string[] | undefined;
  let all: readonly string[] | undefined;
  const pub = (): string[] => {
    publicRoots ??= addAll([...(opts.publicRootsOverride ?? tls.rootCertificates), ...publicExtra], 'public');
    return publicRoots;
  };
  const ca = (): string[] => {
    pub(); // public roots claim their certificates first
    caFile ??= addAll(caFileRoots, 'ca-file');
    return caFile;
  };
  const extra = (): TrustStore['extraRoots'] => {
    if (extraRoots) return extraRoots;
    const list: Array<{ source: 'ca-file' | 'NODE_EXTRA_CA_CERTS' | 'system'; pem: string }> = ca().map(
      (pem) => ({ source: 'ca-file' as const, pem }),
    );
    const extraFile = opts.env.NODE_EXTRA_CA_CERTS?.trim();
    if (extraFile) {
      for (const pem of readExtraFile(extraFile, roots)) list.push({ source: 'NODE_EXTRA_CA_CERTS', pem });
    }
    if (opts.includeSystem !== false) {
      for (const pem of addAll(systemRoots(), 'system')) list.push({ source: 'system', pem });
    }
    extraRoots = list;
    return list;
  };
  /** Load the lists a scope holds. */
  const load = (scope: keyof typeof SCOPES): void => {
    if (scope === 'all') extra();
    else if (scope === 'first') ca();
    else pub();
  };
  const memo = new Map<string, readonly string[]>();

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
    sourceOf(pem) {
      const der = pemToDer(pem);
      if (!der) return undefined;
      const names = certNames(der);
      load('first');
      const found = roots.find(der, names);
      if (found) return found.source;
      load('all');
      return roots.find(der, names)?.source;
    },
    candidates(chain, scope) {
      const issuers = new Set<string>();
      for (const der of chain) {
        const names = certNames(der);
        if (!names) return undefined;
        issuers.add(names.issuer);
      }
      const key = `${scope}\u0000${[...issuers].sort().join('\u0000')}`;
      const known = memo.get(key);
      if (known) return known;
      load(scope);
      const allowed = SCOPES[scope];
      const found = new Set<Root>();
      const queue = [...issuers];
      const visited = new Set<string>();
      for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
        if (visited.has(name)) continue;
        visited.add(name);
        for (const root of roots.withSubject(name)) {
          if (!allowed.has(root.source) || found.has(root)) continue;
          found.add(root);
          // A root that is not self-issued (an intermediate in --ca-file, say) continues the path.
          if (root.names && !root.names.selfIssued) queue.push(root.names.issuer);
        }
      }
      for (const root of roots.unreadable) if (allowed.has(root.source)) found.add(root);
      const result = Object.freeze([...found].map((r) => r.pem));
      memo.set(key, result);
      return result;
    },
  };
}

/** NODE_EXTRA_CA_CERTS, best effort: only the certificates not known yet are parsed (it often repeats the OS bundle). */
function readExtraFile(path: string, roots: RootSet): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return []; // Node itself only warns about a bad NODE_EXTRA_CA_CERTS; do the same (ignore it).
  }
  const out: string[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    const der = pemToDer(m[0]);
    if (!der || roots.find(der)) continue;
    try {
      new X509Certificate(m[0]);
    } catch {
      continue;
    }
    const pem = `${m[0]}\n`;
    if (roots.add(pem, 'NODE_EXTRA_CA_CERTS')) out.push(pem);
  }
  return out;
}
