// Match keys for a certificate's issuer and subject names, read straight from its DER (no full
// parse), in the canonical form OpenSSL compares names in. The certificate check uses them to find
// which of the run's hundreds of roots could anchor a chain at all: OpenSSL builds a path only
// through certificates whose subject equals (canonically, X509_NAME_cmp) the issuer of the
// certificate below, so a TLS context holding just those roots reaches the verdict one holding all
// of them would, and costs a fraction to build.

/**
 * Match keys of a certificate's names. Names OpenSSL holds equal have equal keys; names with equal
 * keys may still differ (the keys are deliberately coarse), so a key match means "could be".
 */
export interface CertNames {
  issuer: string;
  subject: string;
  /** Issuer and subject are the same bytes (a root, in practice). */
  selfIssued: boolean;
}

interface Tlv {
  tag: number;
  /** Start of the contents. */
  start: number;
  /** End of the contents (exclusive); also where the next element starts. */
  end: number;
}

/** One DER element at `pos` within [pos, limit), or undefined when the bytes are not DER. */
function tlv(buf: Buffer, pos: number, limit: number): Tlv | undefined {
  if (pos + 2 > limit) return undefined;
  const tag = buf[pos] as number;
  if ((tag & 0x1f) === 0x1f) return undefined; // high tag numbers: not in a certificate's names
  const first = buf[pos + 1] as number;
  let len: number;
  let start: number;
  if (first < 0x80) {
    len = first;
    start = pos + 2;
  } else {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || pos + 2 + n > limit) return undefined; // indefinite or absurd length
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[pos + 2 + i] as number);
    start = pos + 2 + n;
  }
  const end = start + len;
  return end <= limit ? { tag, start, end } : undefined;
}

const SEQUENCE = 0x30;
const SET = 0x31;
const OID = 0x06;

/** Anything but printable ASCII and whitespace (non-ASCII letters, control characters): the careful path. */
const NOT_PLAIN_ASCII = /[^ -~\t\n\v\f\r]/;
const UNCANONICAL_SPACE = /^[ \t\n\v\f\r]|[ \t\n\v\f\r]$|[\t\n\v\f\r]| {2}/;
const SPACES = /[ \t\n\v\f\r]+/g;

/**
 * OpenSSL's asn1_string_canon: strip outer whitespace, collapse inner runs to one space, lower-case
 * ASCII letters and nothing else. Names are read for hundreds of roots per run, once each, so the
 * common case (ASCII, already tidy) stays in native string code.
 */
function canonText(text: string): string {
  if (!NOT_PLAIN_ASCII.test(text)) {
    const lower = text.toLowerCase();
    return UNCANONICAL_SPACE.test(lower) ? lower.replace(SPACES, ' ').trim() : lower;
  }
  let out = '';
  let space = false;
  for (const ch of text) {
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\v' || ch === '\f' || ch === '\r') {
      space = out.length > 0;
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    out += ch >= 'A' && ch <= 'Z' ? ch.toLowerCase() : ch;
  }
  return out;
}

/**
 * A value as OpenSSL's canonical name encoding holds it. The string types OpenSSL canonicalises
 * (ASN1_MASK_CANON) become canonical text, whatever their type; any other value is compared byte
 * for byte.
 */
function canonValue(der: Buffer, tag: number, start: number, end: number): string {
  switch (tag) {
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
    case 0x14: // T61String (OpenSSL reads it as Latin-1)
      return `s${canonText(der.toString('latin1', start, end))}`;
    case 0x0c: // UTF8String
      return `s${canonText(der.toString('utf8', start, end))}`;
    case 0x1e: // BMPString: UTF-16BE
      if ((end - start) % 2 === 0) {
        return `s${canonText(Buffer.from(der.subarray(start, end)).swap16().toString('utf16le'))}`;
      }
      break;
    case 0x1c: {
      // UniversalString: UTF-32BE code points
      if ((end - start) % 4 !== 0) break;
      const points: number[] = [];
      for (let i = start; i < end; i += 4) points.push(der.readUInt32BE(i));
      if (points.some((c) => c > 0x10ffff)) break;
      return `s${canonText(String.fromCodePoint(...points))}`;
    }
  }
  return `x${tag}:${der.toString('latin1', start, end)}`;
}

/** Whether the OID at `type` is 2.5.4.3 (commonName). */
function isCn(der: Buffer, type: Tlv): boolean {
  return (
    type.end - type.start === 3 &&
    der[type.start] === 0x55 &&
    der[type.start + 1] === 0x04 &&
    der[type.start + 2] === 0x03
  );
}

/**
 * The key of a Name (SEQUENCE OF SET OF AttributeTypeAndValue): its common names in canonical form
 * (every attribute when it has no CN), or undefined when malformed. Names OpenSSL holds equal have
 * equal keys. Different names can share a key (same CN, different O): that only makes a root one
 * more candidate, never drops one. Reading the CN alone keeps this cheap for hundreds of roots.
 */
function nameKey(der: Buffer, name: Tlv): string | undefined {
  if (name.tag !== SEQUENCE) return undefined;
  const cns: string[] = [];
  /** Every attribute by RDN, read only if the name turns out to have no CN. */
  const rdns: Array<Array<{ type: Tlv; value: Tlv }>> = [];
  for (let pos = name.start; pos < name.end; ) {
    const rdn = tlv(der, pos, name.end);
    if (!rdn || rdn.tag !== SET) return undefined;
    const atvs: Array<{ type: Tlv; value: Tlv }> = [];
    for (let p = rdn.start; p < rdn.end; ) {
      const atv = tlv(der, p, rdn.end);
      if (!atv || atv.tag !== SEQUENCE) return undefined;
      const type = tlv(der, atv.start, atv.end);
      if (!type || type.tag !== OID) return undefined;
      const value = tlv(der, type.end, atv.end);
      if (!value || value.end !== atv.end) return undefined;
      if (isCn(der, type)) cns.push(canonValue(der, value.tag, value.start, value.end));
      atvs.push({ type, value });
      p = atv.end;
    }
    rdns.push(atvs);
    pos = rdn.end;
  }
  if (cns.length > 0) return cns.length > 1 ? cns.sort().join('\u0002') : (cns[0] as string);
  // No CN: every attribute, canonical, RDN by RDN (the order within an RDN does not count).
  const keys = rdns.map((atvs) =>
    atvs
      .map(
        ({ type, value }) =>
          `${der.toString('latin1', type.start, type.end)}=${canonValue(der, value.tag, value.start, value.end)}`,
      )
      .sort()
      .join('\u0001'),
  );
  return `*${keys.join('\u0002')}`;
}

/**
 * The name keys of a DER certificate, or undefined when the bytes are not a certificate this reader
 * understands (the caller must then treat the certificate as a possible match for anything).
 */
export function certNames(bytes: Uint8Array): CertNames | undefined {
  const der = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cert = tlv(der, 0, der.length);
  if (!cert || cert.tag !== SEQUENCE) return undefined;
  const tbs = tlv(der, cert.start, cert.end);
  if (!tbs || tbs.tag !== SEQUENCE) return undefined;
  let pos = tbs.start;
  let el = tlv(der, pos, tbs.end);
  if (el && el.tag === 0xa0) {
    pos = el.end; // [0] EXPLICIT version
    el = tlv(der, pos, tbs.end);
  }
  // serialNumber INTEGER, signature AlgorithmIdentifier, issuer Name, validity, subject Name
  const serial = el;
  if (serial?.tag !== 0x02) return undefined;
  const sigAlg = tlv(der, serial.end, tbs.end);
  if (!sigAlg || sigAlg.tag !== SEQUENCE) return undefined;
  const issuerTlv = tlv(der, sigAlg.end, tbs.end);
  if (!issuerTlv) return undefined;
  const validity = tlv(der, issuerTlv.end, tbs.end);
  if (!validity || validity.tag !== SEQUENCE) return undefined;
  const subjectTlv = tlv(der, validity.end, tbs.end);
  if (!subjectTlv) return undefined;
  const subject = nameKey(der, subjectTlv);
  // Roots are self-issued: the same bytes twice need one reading.
  const selfIssued =
    issuerTlv.end - issuerTlv.start === subjectTlv.end - subjectTlv.start &&
    der.compare(der, issuerTlv.start, issuerTlv.end, subjectTlv.start, subjectTlv.end) === 0;
  const issuer = selfIssued ? subject : nameKey(der, issuerTlv);
  return issuer === undefined || subject === undefined ? undefined : { issuer, subject, selfIssued };
}

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';

/** The DER of the first certificate in a PEM string (Node's base64 decoder skips the line breaks). */
export function pemToDer(pem: string): Buffer | undefined {
  const from = pem.indexOf(BEGIN);
  if (from === -1) return undefined;
  const to = pem.indexOf(END, from + BEGIN.length);
  if (to === -1) return undefined;
  return Buffer.from(pem.slice(from + BEGIN.length, to), 'base64');
}
