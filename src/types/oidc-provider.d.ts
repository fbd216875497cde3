// oidc-provider ships no type declarations; the sandbox (src/sandbox/issuer.ts) and the tests use a
// small, explicit slice of it.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface KoaLikeContext {
    type: string;
    body: unknown;
  }

  interface ProviderConfiguration {
    clients?: Array<Record<string, unknown>>;
    features?: Record<string, { enabled: boolean }>;
    ttl?: Record<string, number>;
    renderError?: (
      ctx: KoaLikeContext,
      out: { error: string; error_description?: string },
      error: Error,
    ) => Promise<void>;
    [key: string]: unknown;
  }

  export default class Provider {
    constructor(issuer: string, configuration?: ProviderConfiguration);
    proxy: boolean;
    on(event: string, listener: (...args: unknown[]) => void): this;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
