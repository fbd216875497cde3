import { resolveProfileName } from '../../config/resolve.js';
import { CortexSsoError } from '../../errors.js';
import { oktaTokenAccount } from '../../okta/management.js';
import { asValidator } from '../../okta/values.js';
import type { Prompter } from '../../prompter.js';
import { readCapped } from '../../read-capped.js';
import { Secret } from '../../secret.js';
import { apiTokenAccount, type Keychain } from '../../secrets/keychain.js';

/** What the auth commands need; cli.ts builds the real one, tests a real keychain on a private bus. */
export interface AuthDeps {
  keychain: Keychain;
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

/** What differs between the two tokens `auth login` keeps: how they are asked for and named. */
interface TokenWording {
  prompt: string;
  /** stdin is a terminal but nobody may be asked (CI, --no-input). */
  noPrompt: string;
  /** stdin is not a terminal and --with-token is missing. */
  noWithToken: string;
  noStdin: string;
}

const CORTEX_TOKEN: TokenWording = {
  prompt: 'Cortex API token (input is hidden)',
  noPrompt:
    'stdin is a terminal and prompting is off (CI or --no-input): pipe the Cortex API token in, e.g. `cortex-sso auth login --with-token < token.txt`, or set CORTEX_API_KEY.',
  noWithToken:
    'Pass --with-token and the Cortex API token on stdin, e.g. `cortex-sso auth login --with-token < token.txt` (at a terminal, `cortex-sso auth login` asks for it, masked).',
  noStdin: 'No stdin to read the API token from.',
};

const OKTA_TOKEN: TokenWording = {
  prompt: 'Okta API token (read-only admin; input hidden)',
  noPrompt:
    'stdin is a terminal and prompting is off (CI or --no-input): pipe the Okta API token in, e.g. `cortex-sso auth login --okta --with-token < okta-token.txt`, or set OKTA_API_TOKEN.',
  noWithToken:
    'Pass --with-token and the Okta API token on stdin (`cortex-sso auth login --okta --with-token < okta-token.txt`), or run at a terminal to type it at a masked prompt.',
  noStdin: 'No stdin to read the Okta API token from.',
};

/**
 * A token from a pipe (--with-token), or typed at a masked prompt when stdin is a terminal. Never a
 * flag. A terminal is never read as a pipe: that would wait without a word and echo the token.
 */
async function readToken(opts: LoginOptions, deps: AuthDeps, wording: TokenWording): Promise<Secret> {
  const ask = async (prompter: Prompter): Promise<Secret> => {
    const typed = await prompter.password(wording.prompt, {
      validate: asValidator((v) => parseToken(v, 'typed')),
    });
    return parseToken(typed.reveal(), 'typed');
  };
  if (deps.stdin?.isTTY) {
    if (!deps.interactive || !deps.prompter) throw new CortexSsoError('USAGE', wording.noPrompt);
    return ask(deps.prompter);
  }
  if (!opts.withToken) {
    if (deps.interactive && deps.prompter) return ask(deps.prompter);
    throw new CortexSsoError('INPUT_MISSING', wording.noWithToken);
  }
  if (!deps.stdin) throw new CortexSsoError('INPUT_MISSING', wording.noStdin);
  return parseToken(await readAll(deps.stdin, MAX_TOKEN_BYTES));
}

export async function run(opts: LoginOptions, deps: AuthDeps): Promise<LoginResult> {
  const profile = resolveProfileName(opts.profile, deps.env);
  const token = await readToken(opts, deps, opts.okta ? OKTA_TOKEN : CORTEX_TOKEN);
  await deps.keychain.set(opts.okta ? oktaTokenAccount(profile) : apiTokenAccount(profile), token);
  return {
    ok: true,
    profile,
    stored: true,
    tokenLastFour: token.lastFour,
    keychain: deps.keychain.description,
    ...(opts.okta ? { okta: true as const } : {}),
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
