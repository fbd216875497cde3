import type { ConfigStore } from '../../config/store.js';
import type { CortexClient } from '../../cortex/client.js';
import { CortexSsoError } from '../../errors.js';
import type { Io } from '../../io.js';
import type { Prompter } from '../../prompter.js';
import { readCapped } from '../../read-capped.js';
import type { CheckResult } from '../../result.js';
import { Secret } from '../../secret.js';
import type { Keychain } from '../../secrets/keychain.js';

// What the connector commands share: their dependencies, their common flags, reading a secret from
// stdin. The API session is in api-session.ts, the checklist they run in verification.ts.

/** Everything the connector commands need from outside; cli.ts builds the real one. */
export interface ConnectorDeps {
  io: Io;
  keychain: Keychain;
  config: ConfigStore;
  prompter: Prompter;
  /** Prompts may be shown: stdin and stderr are terminals, not CI, not --no-input (io.ts canPrompt). */
  interactive: boolean;
  createClient: (baseUrl: string, token: Secret) => CortexClient;
  onCheck?: (issuerInput: string, result: CheckResult) => void;
  /** Called when the checks are over (ends a spinner before any question). */
  onChecksDone?: () => void;
  now?: () => Date;
}

export type { Source } from '../../result.js';

/** Read all of stdin (for --client-secret-stdin), without its final newline. */
export async function readStdin(stream: NodeJS.ReadableStream, maxBytes = 64 * 1024): Promise<Secret> {
  const { bytes } = await readCapped(
    stream,
    maxBytes,
    () =>
      new CortexSsoError(
        'INPUT_INVALID',
        `stdin is larger than ${maxBytes} bytes; expected one client secret.`,
      ),
  );
  return new Secret(bytes.toString('utf8').replace(/\r?\n$/, ''));
}

/** The flags of the connector commands that run the checklist (set, verify). */
export interface CommonConnectorOptions {
  profile?: string;
  /** Section of Cortex's CLI config (~/.cortex/config) to read the API key from. */
  tenant?: string;
  clientId?: string;
  issuer?: string;
  apiUrl?: string;
  redirectUri?: string;
  caFile?: string;
  proxy?: string;
  timeoutSeconds: number;
  warnDays: number;
  allowHttpLoopback?: boolean;
}
