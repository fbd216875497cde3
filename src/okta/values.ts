// The values a person gives for an Okta connector (client ID, client secret, issuer): trimmed,
// checked, and with notes on what looks odd. Used by connector set's prompts and by every command
// that takes them from flags, env or the profile.
import { CortexSsoError } from '../errors.js';
import { Secret } from '../secret.js';
import { parseIssuer } from './issuer.js';

export interface Checked<T> {
  value: T;
  /** What was changed or what looks odd; shown to the user, never blocking. */
  notes: string[];
}

/** ' (--client-id)' for a named source; nothing for a prompt, where the person knows what they typed. */
const from = (origin: string) => (origin ? ` (${origin})` : '');

const OKTA_CLIENT_ID = /^0oa[A-Za-z0-9]{17}$/;

/** An Okta client ID: trimmed, no inner white space, URL-safe characters; odd shapes get a note. */
export function checkClientId(raw: string, origin: string): Checked<string> {
  const notes: string[] = [];
  const value = raw.trim();
  if (value !== raw) notes.push(`removed white space around the client ID${from(origin)}`);
  if (value === '') throw new CortexSsoError('INPUT_INVALID', `The client ID${from(origin)} is empty.`);
  if (/\s/.test(value))
    throw new CortexSsoError('INPUT_INVALID', `The client ID${from(origin)} contains white space.`);
  if (/^https?:\/\//i.test(value)) {
    throw new CortexSsoError(
      'INPUT_INVALID',
      `The client ID${from(origin)} is a URL; it looks like the issuer was pasted into the client ID.`,
    );
  }
  if (!/^[A-Za-z0-9._~-]+$/.test(value)) {
    throw new CortexSsoError(
      'INPUT_INVALID',
      `The client ID${from(origin)} has characters a client ID never has; copy it again from the Okta app's General tab.`,
    );
  }
  if (!OKTA_CLIENT_ID.test(value)) {
    notes.push(
      value.length >= 32
        ? 'the client ID is unusually long for Okta (0oa + 17 characters): is it the client secret?'
        : 'the client ID does not look like an Okta app client ID (0oa followed by 17 characters)',
    );
  }
  return { value, notes };
}

/** A client secret: trimmed (pasting adds newlines), never empty, never with inner white space. */
export function checkSecret(raw: Secret, origin: string, clientId?: string): Checked<Secret> {
  const notes: string[] = [];
  const text = raw.reveal();
  const trimmed = text.trim();
  if (trimmed !== text) notes.push(`removed white space around the client secret${from(origin)}`);
  if (trimmed === '') throw new CortexSsoError('INPUT_INVALID', `The client secret${from(origin)} is empty.`);
  if (/\s/.test(trimmed)) {
    throw new CortexSsoError(
      'INPUT_INVALID',
      `The client secret${from(origin)} contains white space; copy it again from the Okta app.`,
    );
  }
  if (clientId !== undefined && trimmed === clientId) {
    throw new CortexSsoError(
      'INPUT_INVALID',
      `The client secret${from(origin)} equals the client ID; copy the secret from Client Credentials in the Okta app.`,
    );
  }
  if (trimmed.length < 20)
    notes.push('the client secret is short for Okta (usually 40 characters or more): was all of it copied?');
  return { value: new Secret(trimmed), notes };
}

/** An issuer, normalized by the diagnose parser; a refusal names the input and the likely right value. */
export function checkIssuer(raw: string, origin: string, allowHttpLoopback = false): Checked<string> {
  const r = parseIssuer(raw, { allowHttpLoopback });
  if (!r.ok) {
    throw new CortexSsoError(
      'INPUT_INVALID',
      `The issuer${from(origin)} is not usable: ${r.message}${r.suggestion ? ` Did you mean ${r.suggestion} ?` : ''}`,
    );
  }
  const notes = r.value.normalizations.map((n) => `issuer: ${n}; using ${r.value.issuer}`);
  return { value: r.value.issuer, notes };
}

/** Adapts a throwing check to @inquirer's validate (true or a message). */
export function asValidator(fn: (v: string) => unknown): (v: string) => string | true {
  return (v) => {
    try {
      fn(v);
      return true;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  };
}
