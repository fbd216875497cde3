import type { Io } from './io.js';
import { Secret } from './secret.js';

/** Questions a command may ask. Commands get one handed in; tests hand in their own streams. */
export interface Prompter {
  select<T extends string>(
    message: string,
    choices: Array<{ value: T; name: string; description?: string }>,
    defaultValue?: T,
  ): Promise<T>;
  input(
    message: string,
    opts?: { default?: string; validate?: (value: string) => string | true },
  ): Promise<string>;
  /** Masked input; the answer never leaves as a plain string. */
  password(message: string, opts?: { validate?: (value: string) => string | true }): Promise<Secret>;
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
}

/**
 * @inquirer/prompts bound to the command's streams. Prompts render on stderr so stdout stays
 * clean for `--json` and pipes. The library is loaded on first use only.
 */
export function createPrompter(io: Io): Prompter {
  const context = { input: io.stdin, output: io.stderr, clearPromptOnDone: false };
  const lib = () => import('@inquirer/prompts');
  return {
    async select(message, choices, defaultValue) {
      const { select } = await lib();
      return select({ message, choices, ...(defaultValue ? { default: defaultValue } : {}) }, context);
    },
    async input(message, opts = {}) {
      const { input } = await lib();
      return input(
        {
          message,
          ...(opts.default ? { default: opts.default } : {}),
          ...(opts.validate ? { validate: opts.validate } : {}),
        },
        context,
      );
    },
    async password(message, opts = {}) {
      const { password } = await lib();
      const value = await password(
        {
          message,
          mask: '*',
          // No "ctrl+t reveals" toggle: the secret must never be drawn on the terminal.
          toggleMask: false,
          ...(opts.validate ? { validate: opts.validate } : {}),
        },
        context,
      );
      return new Secret(value);
    },
    async confirm(message, defaultValue) {
      const { confirm } = await lib();
      return confirm({ message, default: defaultValue }, context);
    },
  };
}
