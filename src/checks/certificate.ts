import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { Code } from '../codes.js';
import { type TlsProbe, tlsHandshake } from '../net/connect.js';
import type { TrustStore } from '../net/context.js';
import { isUntrustedChain, mapNetError } from '../net/errors.js';
import { caKey } from '../net/secure-context.js';
import { tlsProbeOptions } from './probe.js';
import type { Check, CheckOutcome, Finding } from './types.js';

const DAY = 86_400_000;

interface Problem {
  code: Code;
  detail: string;
}

interface CertInfo {
  subject: string;
  issuer: string;
  subjectAltName: string | null;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
  selfSigned: boolean;
}

const TITLES: Partial<Record<Code, string>> = {
  CERT_EXPIRED: 'The certificate has expired',
  CERT_NOT_YET_VALID: 'The certificate is not valid yet',
  CERT_EXPIRES_SOON: 'The certificate expires soon',
  CERT_HOSTNAME_MISMATCH: 'The certificate does not name this host',
  CERT_SELF_SIGNED: 'The server presents a self-signed certificate',
  CERT_CHAIN_INCOMPLETE: 'The server does not send its intermediate certificate',
  CERT_UNTRUSTED_ROOT: 'The certificate chain ends at an untrusted root',
  CERT_PRIVATE_ROOT: 'Trusted only through a private CA (TLS inspection?)',
};

const SOURCE_NAMES = {
  'ca-file': '--ca-file',
  NODE_EXTRA_CA_CERTS: 'NODE_EXTRA_CA_CERTS',
  system: 'the system CA store',
} as const;

/** "CN=x\nO=y" -> "x" (or the whole name when it has no CN). */
function commonName(name: string): string {
  const m = /(?:^|\n)CN=([^\n]+)/.exec(name);
  return m?.[1] ?? name.replaceAll('\n', ', ');
}

function isSelfSigned(c: X509Certificate): boolean {
  try {
    return c.checkIssued(c) && c.verify(c.publicKey);
  } catch {
    return false;
  }
}

function describe(c: X509Certificate): CertInfo {
  return {
    subject: c.subject.replaceAll('\n', ', '),
    issuer: c.issuer.replaceAll('\n', ', '),
    subjectAltName: c.subjectAltName ?? null,
    validFrom: c.validFromDate.toISOString(),
    validTo: c.validToDate.toISOString(),
    fingerprint256: c.fingerprint256,
    selfSigned: isSelfSigned(c),
  };
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function role(i: number, total: number, c: X509Certificate): string {
  if (i === 0) return `leaf "${commonName(c.subject)}"`;
  return `${i === total - 1 && isSelfSigned(c) ? 'root' : 'intermediate'} "${commonName(c.subject)}"`;
}

/** Judge OpenSSL's verification error against the chain as sent. */
function verifyProblem(code: string, sent: X509Certificate[]): Problem | undefined {
  const leaf = sent[0];
  const last = sent[sent.length - 1];
  switch (code) {
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return undefined; // judged from the dates, with the injectable clock
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return {
        code: 'CERT_SELF_SIGNED',
        detail: `the leaf "${leaf ? commonName(leaf.subject) : '?'}" signs itself; no CA vouches for it`,
      };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return {
        code: 'CERT_CHAIN_INCOMPLETE',
        detail: `the server sent ${sent.length === 1 ? 'only the leaf' : `${sent.length} certificates`}; the issuer "${
          leaf ? commonName(leaf.issuer) : '?'
        }" was not sent and is not a trusted root here`,
      };
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return {
        code: 'CERT_UNTRUSTED_ROOT',
        detail: `the server sent the root "${last ? commonName(last.subject) : '?'}", which is not trusted here (typical of a TLS-inspecting proxy)`,
      };
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return {
        code: 'CERT_UNTRUSTED_ROOT',
        detail: `the chain ends at "${last ? commonName(last.issuer) : '?'}", which is not a trusted root here (TLS inspection, or a private CA)`,
      };
    default: {
      const mapped = mapNetError(Object.assign(new Error(code), { code }), 'tls');
      return {
        code: mapped.code.startsWith('CERT_') ? mapped.code : 'CERT_UNTRUSTED_ROOT',
        detail: `the chain does not verify: ${mapped.detail} (${code})`,
      };
    }
  }
}

/** The outcome when a handshake meant to read the chain fails. */
function unreadable(err: unknown): CheckOutcome {
  const mapped = mapNetError(err, 'tls');
  return {
    status: 'fail',
    code: mapped.code,
    title: 'Could not read the certificate',
    detail: mapped.detail,
  };
}

/**
 * A handshake whose verdict is OpenSSL's against the run's trust store, made with as few roots as
 * give that verdict. The stages: the public roots and --ca-file first, then the OS store and
 * NODE_EXTRA_CA_CERTS too, only when the chain does not verify without them. Within a stage, the
 * roots that can anchor this chain by name first (a context of one or two roots instead of
 * hundreds); the whole stage only when they do not verify it, so a chain is never judged on less
 * than the roots it could use. Every probe made lands in `probes` (run() closes or hands them on).
 */
async function verifyChain(
  verifying: Parameters<typeof tlsHandshake>[0],
  trust: TrustStore,
  sentDer: readonly Uint8Array[] | undefined,
  probes: TlsProbe[],
): Promise<TlsProbe> {
  const stages: Array<{ scope: 'first' | 'all'; roots: () => readonly string[] }> = [
    { scope: 'first', roots: () => trust.firstStage() },
    { scope: 'all', roots: () => trust.all() },
  ];
  // By content: a stage's candidates can be the very roots of a later attempt (the OS store adds
  // none of that name); the same roots are never asked twice.
  const tried = new Set<string>();
  const attempt = async (ca: readonly string[]): Promise<TlsProbe | undefined> => {
    const key = caKey(ca);
    if (tried.has(key)) return undefined;
    tried.add(key);
    const probe = await tlsHandshake({ ...verifying, ca });
    probes.push(probe);
    return probe;
  };
  const settled = (p: TlsProbe | undefined): p is TlsProbe =>
    p !== undefined && (p.chainVerified || !isUntrustedChain(p.verifyError));
  // The likely anchors of every stage first: a chain anchored in the OS store is then one
  // small handshake too.
  for (const stage of stages) {
    const subset = sentDer ? trust.candidates(sentDer, stage.scope) : undefined;
    if (subset && subset.length > 0) {
      const p = await attempt(subset);
      if (settled(p)) return p;
    }
  }
  let last: TlsProbe | undefined;
  for (const stage of stages) {
    const p = await attempt(stage.roots());
    last = p ?? last;
    if (settled(p)) return p;
  }
  return last ?? (probes[probes.length - 1] as TlsProbe);
}

/** The chain as sent: names, validity, fingerprints; verified against the trust store; TLS inspection spotted. */
export const check: Check = {
  id: 'certificate',
  needs: ['tls'],
  async run(target, ctx) {
    const probes: TlsProbe[] = [];
    let outcome: CheckOutcome | undefined;
    try {
      outcome = await judge(target, ctx, probes);
      return outcome;
    } finally {
      // A probe keeps its connection only when chain AND host verified, and the search stops at
      // the first that verifies: at most one is open. It may carry discovery and JWKS (one
      // connection instead of two); otherwise it is closed. No request travels over an unverified one.
      const socket = probes.find((p) => p.socket)?.socket;
      if (socket) {
        const base = tlsProbeOptions(target, ctx);
        const adopted =
          outcome !== undefined &&
          outcome.status !== 'fail' &&
          (ctx.net.adopt?.(base.proxy ?? null, base.host, base.port, socket) ?? false);
        if (!adopted) socket.destroy();
      }
    }
  },
};

async function judge(
  target: Parameters<Check['run']>[0],
  ctx: Parameters<Check['run']>[1],
  probes: TlsProbe[],
): Promise<CheckOutcome> {
  const host = target.issuer.host;
  const base = tlsProbeOptions(target, ctx);
  const trust = ctx.net.trust;
  // The chain as the tls check read it (exactly as sent); absent only when this check runs alone.
  const sentBefore = target.facts.tls?.chainPem.map((p) => new X509Certificate(p));
  const sentDer = sentBefore?.map((c) => c.raw);
  let verified: TlsProbe;
  try {
    verified = await verifyChain(
      { ...base, keepIfVerifiedFor: host, ALPNProtocols: ['http/1.1'] },
      trust,
      sentDer,
      probes,
    );
  } catch (err) {
    return unreadable(err);
  }
  const sent = sentBefore ?? verified.chainPem.map((p) => new X509Certificate(p));
  const leaf = sent[0];
  if (!leaf) {
    return { status: 'fail', code: 'TLS_HANDSHAKE_FAILED', title: 'The server sent no certificate' };
  }
  const chain = sent.map(describe);
  const now = ctx.now();
  const fail: Problem[] = [];
  const warn: Problem[] = [];

  sent.forEach((c, i) => {
    if (c.validToDate.getTime() < now.getTime()) {
      fail.push({
        code: 'CERT_EXPIRED',
        detail: `the ${role(i, sent.length, c)} expired on ${day(c.validToDate)}`,
      });
    } else if (c.validFromDate.getTime() > now.getTime()) {
      fail.push({
        code: 'CERT_NOT_YET_VALID',
        detail: `the ${role(i, sent.length, c)} is valid only from ${c.validFromDate.toISOString()} (this machine's clock: ${now.toISOString()})`,
      });
    }
  });
  if (verified.verifyError) {
    const p = verifyProblem(verified.verifyError, sent);
    if (p) fail.push(p);
    else if (fail.length === 0) {
      // OpenSSL saw an expired/not-yet-valid certificate that the sent chain does not show: the trust anchor.
      fail.push({
        code: verified.verifyError === 'CERT_HAS_EXPIRED' ? 'CERT_EXPIRED' : 'CERT_NOT_YET_VALID',
        detail: `a certificate of the verified chain (the trust anchor?) is ${verified.verifyError === 'CERT_HAS_EXPIRED' ? 'expired' : 'not valid yet'}`,
      });
    }
  }
  const identity = verified.leaf ? tls.checkServerIdentity(host, verified.leaf) : undefined;
  if (identity) {
    fail.push({
      code: 'CERT_HOSTNAME_MISMATCH',
      detail: `the certificate is for ${leaf.subjectAltName ?? `"${commonName(leaf.subject)}"`}, not ${host}`,
    });
  }

  let trustedBy: string | null = null;
  let anchor: { subject: string; fingerprint256: string } | null = null;
  let anchorName = 'a public root';
  if (fail.length === 0) {
    const anchorPem = verified.chainPem[verified.chainPem.length - 1];
    const anchorCert = anchorPem ? new X509Certificate(anchorPem) : undefined;
    if (anchorCert) {
      anchor = {
        subject: anchorCert.subject.replaceAll('\n', ', '),
        fingerprint256: anchorCert.fingerprint256,
      };
      anchorName = commonName(anchorCert.subject);
    }
    trustedBy = 'public';
    // Where the anchor comes from, by lookup in the run's roots (indexed once, by name).
    const source = anchorPem ? trust.sourceOf(anchorPem) : undefined;
    let publicOk = source === 'public';
    if (!publicOk) {
      // The chain found a private anchor. A cross-signed CA may still lead to a public root too:
      // only a handshake against the public roots alone tells. Only the public roots that name an
      // issuer in the chain as sent could anchor it: none, and the answer is no without a handshake.
      const publicCandidates = sentDer ? trust.candidates(sentDer, 'public') : undefined;
      if (publicCandidates === undefined || publicCandidates.length > 0) {
        try {
          publicOk = (await tlsHandshake({ ...base, ca: publicCandidates ?? trust.publicRoots }))
            .chainVerified;
        } catch (err) {
          return unreadable(err);
        }
      }
    }
    if (!publicOk) {
      // Name the extra root that anchors the chain, walking from the top.
      let from: keyof typeof SOURCE_NAMES | undefined;
      let caName = anchorCert ? commonName(anchorCert.subject) : 'unknown CA';
      for (const pem of [...verified.chainPem].reverse()) {
        const s = trust.sourceOf(pem);
        if (s && s !== 'public') {
          from = s;
          caName = commonName(new X509Certificate(pem).subject);
          break;
        }
      }
      trustedBy = from ?? 'extra';
      warn.push({
        code: 'CERT_PRIVATE_ROOT',
        detail: `the chain is trusted only through "${caName}" from ${
          from ? SOURCE_NAMES[from] : '--ca-file, NODE_EXTRA_CA_CERTS or the system store'
        }, not through a public root: something on this network (TLS inspection) re-signs the traffic, so Cortex's servers see a different certificate than this machine`,
      });
    }
  }

  const leftMs = leaf.validToDate.getTime() - now.getTime();
  const leftDays = Math.floor(leftMs / DAY);
  if (leftMs >= 0 && leftMs < ctx.options.warnDays * DAY) {
    // An expiry outranks a private root: it breaks sign-in on a date, for everyone.
    warn.unshift({
      code: 'CERT_EXPIRES_SOON',
      detail: `the leaf "${commonName(leaf.subject)}" expires on ${day(leaf.validToDate)}, in ${leftDays} days (warning window ${ctx.options.warnDays} days)`,
    });
  }

  const data = {
    chain,
    trustedBy,
    anchor,
    problems: [...fail, ...warn],
    expiresInDays: leftDays,
  };
  const summary = `"${commonName(leaf.subject)}" issued by "${commonName(leaf.issuer)}", valid until ${day(leaf.validToDate)}${leftMs >= 0 ? ` (${leftDays} days left)` : ''}, ${sent.length} certificate${sent.length === 1 ? '' : 's'} sent`;
  const findings: Finding[] = [
    ...fail.map((p) => ({ code: p.code, status: 'fail' as const, message: p.detail })),
    ...warn.map((p) => ({ code: p.code, status: 'warn' as const, message: p.detail })),
  ];
  const head = findings[0];
  if (head) {
    return {
      status: head.status,
      code: head.code,
      title: TITLES[head.code] ?? 'Certificate problem',
      detail: [...findings.map((f) => f.message), summary].join('; '),
      data,
      findings,
    };
  }
  return {
    status: 'pass',
    title: 'The certificate is valid for this host',
    detail: `${summary}; trusted through ${anchor ? `the public root "${anchorName}"` : anchorName}`,
    data,
  };
}
