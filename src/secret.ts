import { inspect } from 'node:util';

/**
 * A secret value (client secret, API token) that never prints itself.
 * `String(s)`, template literals, `JSON.stringify` and `util.inspect` all show `****abcd`.
 * Only `reveal()` returns the real value: grep for it to audit every place a secret leaves memory.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The real value. Call only where the secret must leave the process (HTTP auth, keychain). */
  reveal(): string {
    return this.#value;
  }

  /** The last four characters, the only part ever shown. Short secrets show nothing. */
  get lastFour(): string {
    return this.#value.length >= 8 ? this.#value.slice(-4) : '';
  }

  get masked(): string {
    return `****${this.lastFour}`;
  }

  get length(): number {
    return this.#value.length;
  }

  equals(other: Secret | undefined): boolean {
    return other !== undefined && other.reveal() === this.#value;
  }

  toString(): string {
    return this.masked;
  }

  toJSON(): string {
    return this.masked;
  }

  [inspect.custom](): string {
    return `Secret(${this.masked})`;
  }
}
