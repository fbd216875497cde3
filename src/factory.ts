// The factory (after GitHub CLI's pkg/cmdutil/factory.go): everything a command needs from outside,
// created on first use and released by one close(). cli.ts builds the real one from `process`;
// tests build one from their own streams and environment (and point it at real local servers).
//
// This module is loaded for every run, `--help` included: it imports types only at top level.
// Each heavy dependency (the keyring addon, conf, @inquirer, undici) loads inside its getter.
import type { AuthDeps } from './commands/auth/login.js';
import type { ConnectorDeps } from './commands/connector/shared.js';
import type { ConfigStore } from './config/store.js';
import type { CortexClient } from './cortex/client.js';
import type { Io } from './io.js';
import type { Prompter } from './prompter.js';
import type { Secret } from './secret.js';
import type { Keychain } from './secrets/keychain.js';

export interface Factory {
  /** The streams and environment of this run (never process.* directly). */
  readonly io: Io;
  /** The run's exit code, set by the action helper (src/commands/action.ts). */
  exitCode: number;
  /** The output format the running command chose (for the error document), once it is known. */
  format?: 'text' | 'json' | 'junit' | 'github';
  keychain(): Promise<Keychain>;
  config(): Promise<ConfigStore>;
  prompter(): Promise<Prompter>;
  /** A Cortex API client over the run's proxy-aware dispatcher (HTTP(S)_PROXY / NO_PROXY of `io.env`). */
  cortexClient(): Promise<(baseUrl: string, token: Secret) => CortexClient>;
  /** Marks that the issuer checks' network layer is in use, so close() releases its sockets. */
  useNetwork(): void;
  /** The connector commands' dependencies. `noInput`: never prompt (--no-input, or a command that never asks). */
  connectorDeps(noInput: boolean): Promise<ConnectorDeps>;
  /** The auth / okta commands' dependencies. */
  authDeps(noInput?: boolean): Promise<AuthDeps>;
  /** Release keep-alive sockets and agents, so the process exits as soon as the work is done. */
  close(): Promise<void>;
}

/** What a test may hand in instead of the real thing (the OS keychain, say); the rest is built as usual. */
export interface FactoryOverrides {
  keychain?: Keychain;
  config?: ConfigStore;
  prompter?: Prompter;
}

export function createFactory(io: Io, overrides: FactoryOverrides = {}): Factory {
  let keychain: Promise<Keychain> | undefined = overrides.keychain && Promise.resolve(overrides.keychain);
  let config: Promise<ConfigStore> | undefined = overrides.config && Promise.resolve(overrides.config);
  let prompter: Promise<Prompter> | undefined = overrides.prompter && Promise.resolve(overrides.prompter);
  let apiAgent: import('undici').Dispatcher | undefined;
  let usedNetwork = false;
  // Each module gets its own copy of the environment: nothing may change the caller's.
  const env = () => ({ ...io.env });

  const f: Factory = {
    io,
    exitCode: 0,
    keychain: () => {
      keychain ??= import('./secrets/keychain.js').then((m) => m.createOsKeychain({ env: env() }));
      return keychain;
    },
    config: () => {
      config ??= import('./config/store.js').then((m) => m.openConfigStore({ env: env() }));
      return config;
    },
    prompter: () => {
      prompter ??= import('./prompter.js').then((m) => m.createPrompter(io));
      return prompter;
    },
    async cortexClient() {
      const [{ createCortexClient }, { EnvHttpProxyAgent }] = await Promise.all([
        import('./cortex/client.js'),
        import('undici'),
      ]);
      // The API honours HTTP(S)_PROXY / NO_PROXY like the issuer checks: corporate networks reach
      // api.getcortexapp.com only through their proxy. One dispatcher per run, from io.env.
      const dispatcher = () => {
        if (!apiAgent) {
          const e = io.env;
          const http = e.http_proxy ?? e.HTTP_PROXY;
          const https = e.https_proxy ?? e.HTTPS_PROXY ?? http;
          const no = e.no_proxy ?? e.NO_PROXY;
          // '' (not undefined) means "no proxy": undici would otherwise fall back to process.env.
          apiAgent = new EnvHttpProxyAgent({
            httpProxy: http ?? '',
            httpsProxy: https ?? '',
            ...(no ? { noProxy: no } : {}),
          });
        }
        return apiAgent;
      };
      return (baseUrl, token) => createCortexClient({ baseUrl, token, dispatcher: dispatcher() });
    },
    useNetwork() {
      usedNetwork = true;
    },
    async connectorDeps(noInput) {
      const [k, c, p, createClient, { canPrompt }] = await Promise.all([
        f.keychain(),
        f.config(),
        f.prompter(),
        f.cortexClient(),
        import('./io.js'),
      ]);
      return {
        io,
        keychain: k,
        config: c,
        prompter: p,
        interactive: canPrompt(io, noInput),
        createClient,
      };
    },
    async authDeps(noInput = false) {
      // No settings file: the auth commands keep tokens in the keychain only (and conf is slow to load).
      const [k, p, { canPrompt }] = await Promise.all([f.keychain(), f.prompter(), import('./io.js')]);
      return {
        keychain: k,
        env: env(),
        stdin: io.stdin,
        prompter: p,
        // Prompts draw on stderr, so stdout may be a pipe (--json) while a person types the token.
        interactive: canPrompt(io, noInput),
      };
    },
    async close() {
      if (usedNetwork) await (await import('./net/dispatcher.js')).closeAll();
      await apiAgent?.close();
    },
  };
  return f;
}
