import { resolveProfileName } from '../../config/resolve.js';
import type { ConfigStore } from '../../config/store.js';
import { CortexSsoError } from '../../errors.js';
import { oktaTokenAccount } from '../../okta/management.js';
import type { Prompter } from '../../prompter.js';
import { readCapped } from '../../read-capped.js';
import { Secret } from '../../secret.js';
import { apiTokenAccount, type Keychain } from '../../secrets/keychain.js';

/** What the auth commands need; cli.ts builds the real one, tests a real keychain on a private bus. */
export interface AuthDeps {
  keychain: Keychain;
  config: ConfigStore;
  env: Record<string, string | undefined>;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Masked prompts; used only when `interactive`. */
  prompter?: Prompter;
  /** A person can answer a prompt: stdin and stderr are terminals, not CI, not --no-input. */
  interactive?: boolean;
}

export interface LoginOptions {
  profile?: string;
  /**
   * Read the token from stdin (a pipe). At a terminal the token is asked for, masked, with or
   * without it: a terminal never echoes the token. The token is never accepted as a flag value.
   */
  withToken?: boolean;
  /** Store the read-only Okta API token (for `okta audit`) instead of the Cortex API token. */
  okta?: boolean;
}

export interface LoginResult {
  ok: true;
  profile: string;
  stored: true;
  tokenLastFour: string;
  keychain: string;
  /** Present when the Okta API token was stored (`--okta`). */
  okta?: true;
}

const MAX_TOKEN_BYTES = 64 * 1024;

export async function run(opts: LoginOptions, deps: AuthDeps): Promise<LoginResult> {
  const profile = resolveProfileName(opts.profile, deps.env);
  if (opts.okta) return loginOkta(opts, deps, profile);
  let token: Secret;
  if (deps.stdin?.isTTY) {
    // Reading a terminal as a pipe would wait without a word and echo the token as it is typed.
    if (!deps.interactive || !deps.prompter) {
      throw new CortexSsoError(
        'USAGE',
        'stdin is a terminal and prompting is off (CI or --no-input): pipe the Cortex API token in, e.g. `cortex-sso auth login --with-token < token.txt`, or set CORTEX_API_KEY.',
      );
    }
    token = await deps.prompter.password('Cortex API token (input is hidden)', {
      validate: (value) => {
        try {
          parseToken(value, 'typed');
          return true;
        } catch (err) {
          return err instanceof CortexSsoError ? err.message : String(err);
        }
      },
    });
  } else {
    if (!opts.withToken) {
      throw new CortexSsoError(
        'INPUT_MISSING',
        'Pass --with-token and the Cortex API token on stdin, e.g. `cortex-sso auth login --with-token < token.txt` (at a terminal, `cortex-sso auth login` asks for it, masked).',
      );
    }
    if (!deps.stdin) {
      throw new CortexSsoError('INPUT_MISSING', 'No stdin to read the API token from.');
    }
    token = parseToken(await readAll(deps.stdin, MAX_TOKEN_BYTES));
  }
  await deps.keychain.set(apiTokenAccount(profile), token);
  return {
    ok: true,
    profile,
    stored: true,
    tokenLastFour: token.lastFour,
    keychain: deps.keychain.description,
  };
}

/** The Okta API token: from stdin with --with-token, else typed at a masked prompt. Never a flag. */
async function loginOkta(opts: LoginOptions, deps: AuthDeps, profile: string): Promise<LoginResult> {
  let token: Secret;
  if (opts.withToken) {
    if (!deps.stdin) throw new CortexSsoError('INPUT_MISSING', 'No stdin to read the Okta API token from.');
    token = parseToken(await readAll(deps.stdin, MAX_TOKEN_BYTES));
  } else if (deps.interactive && deps.prompter) {
    const typed = await deps.prompter.password('Okta API token (read-only admin; input hidden)', {
      validate: (v) => {
        try {
          parseToken(v);
          return true;
        } catch (err) {
          return err instanceof Error ? err.message.replace('read from stdin ', '') : String(err);
        }
      },
    });
    token = parseToken(typed.reveal());
  } else {
    throw new CortexSsoError(
      'INPUT_MISSING',
      'Pass --with-token and the Okta API token on stdin (`cortex-sso auth login --okta --with-token < okta-token.txt`), or run at a terminal to type it at a masked prompt.',
    );
  }
  await deps.keychain.set(oktaTokenAccount(profile), token);
  return {
    ok: true,
    profile,
    stored: true,
    tokenLastFour: token.lastFour,
    keychain: deps.keychain.description,
    okta: true,
  };
}

/** Removes one trailing newline; refuses empty values and values with whitespace inside. */
export function parseToken(raw: string, how: 'typed' | 'stdin' = 'stdin'): Secret {
  const value = raw.replace(/\r?\n$/, '');
  const what = how === 'typed' ? 'The API token' : 'The API token read from stdin';
  if (value === '') {
    throw new CortexSsoError('INPUT_INVALID', `${what} is empty.`);
  }
  if (/\s/.test(value)) {
    throw new CortexSsoError(
      'INPUT_INVALID',
      `${what} contains whitespace or more than one line; pass the token alone.`,
    );
  }
  return new Secret(value);
}

async function readAll(stream: NodeJS.ReadableStream, maxBytes: number): Promise<string> {
  const { bytes } = await readCapped(
    stream,
    maxBytes,
    () =>
      new CortexSsoError('INPUT_INVALID', `The API token read from stdin is longer than ${maxBytes} bytes.`),
  );
  return bytes.toString('utf8');
}

export function formatText(result: LoginResult): string {
  return [
    `Stored the ${result.okta ? 'Okta' : 'Cortex'} API token (****${result.tokenLastFour}) for profile "${result.profile}".`,
    `Keychain: ${result.keychain}`,
  ].join('\n');
}
