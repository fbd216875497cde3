import { createHash } from 'node:crypto';
import tls from 'node:tls';

/**
 * TLS trust contexts, built once per distinct CA set and TLS settings. Building one parses every
 * CA certificate (hundreds with the public and system roots); doing that for each handshake and
 * each HTTP connection was most of a diagnose run's CPU (npm run bench).
 * Protocol versions and ciphers live in the context too, so they are part of the key.
 */
export interface ContextOptions {
  ca: readonly string[];
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
}

const byArray = new WeakMap<readonly string[], string>();
const contexts = new Map<string, tls.SecureContext>();

/** A CA list's identity by content (SHA-256 over its PEMs), memoised per array. */
export function caKey(ca: readonly string[]): string {
  let key = byArray.get(ca);
  if (key === undefined) {
    const h = createHash('sha256');
    for (const pem of ca) h.update(pem).update('\0');
    key = h.digest('hex');
    byArray.set(ca, key);
  }
  return key;
}

export function secureContextFor(opts: ContextOptions): tls.SecureContext {
  const key = `${caKey(opts.ca)}|${opts.minVersion ?? ''}|${opts.maxVersion ?? ''}|${opts.ciphers ?? ''}`;
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = tls.createSecureContext({
      ca: [...opts.ca],
      ...(opts.minVersion ? { minVersion: opts.minVersion } : {}),
      ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
      ...(opts.ciphers ? { ciphers: opts.ciphers } : {}),
    });
    contexts.set(key, ctx);
  }
  return ctx;
}
