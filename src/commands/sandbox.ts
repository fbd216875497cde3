/**
 * `cortex-sso sandbox`: the whole flow on loopback, in one process, to try by hand.
 *
 * - the reference Cortex API (src/sandbox/cortex-api.ts: Cortex's SSO routes) on http://127.0.0.1,
 * - an Okta-like issuer (oidc-provider over HTTPS, src/sandbox/issuer.ts) on https://localhost,
 *   with one confidential client registered for Cortex's callback,
 * - a CA generated on first run and kept in the settings directory (reused, so the file a user
 *   points CORTEX_SSO_PUBLIC_CA_FILE at stays valid), and a generated Cortex API key.
 *
 * Everything it keeps is under `<config dir>/sandbox/`, files 0600: never in the working tree.
 *
 * SECRETS: this is the one command that prints a client secret and an API key, on purpose: they are
 * generated here, for this loopback sandbox only, and the point of the command is to hand them to the
 * other commands. It never reads, prints or stores any real secret (nothing from the keychain, the
 * environment or ~/.cortex/config).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDir } from '../config/store.js';
import { CORTEX_CALLBACK_URI } from '../cortex/types.js';
import { CortexSsoError } from '../errors.js';
import { type CortexApi, startCortexApi } from '../sandbox/cortex-api.js';
import { type Issuer, startIssuer } from '../sandbox/issuer.js';
import { type SandboxLock, takeSandboxLock } from '../sandbox/lock.js';
import { type CaFiles, caUsable, createCa, issueLeaf } from '../sandbox/pki.js';

/** Cortex's own callback: the sandbox's app is set up as Okta's should be for Cortex. */
export const SANDBOX_REDIRECT_URI = CORTEX_CALLBACK_URI;
/** The profile the exported settings select, so trying the sandbox never touches the user's own profile. */
export const SANDBOX_PROFILE = 'sandbox';

export interface SandboxOptions {
  /** Port of the reference Cortex API; 0 = a free one. */
  portApi: number;
  /** Port of the issuer; 0 = a free one. */
  portIssuer: number;
  /** A new CA, client and API key (and an empty API state). */
  reset: boolean;
}

export interface SandboxDeps {
  env: Readonly<Record<string, string | undefined>>;
}

/** What `--json` prints (docs/json-output.md). */
export interface SandboxResult {
  schemaVersion: 1;
  ok: true;
  cortexApi: { url: string; port: number; apiKey: string; dataFile: string };
  issuer: {
    url: string;
    port: number;
    clientId: string;
    clientSecret: string;
    redirectUri: string;
    grantTypes: string[];
  };
  ca: { file: string; created: boolean };
  /** `<config dir>/sandbox`: everything the sandbox keeps. */
  dir: string;
  /** The `export` lines, also written here (0600) for `eval "$(cat FILE)"` in another terminal. */
  envFile: string;
  /** The settings the other commands read, by variable name. */
  env: Record<string, string>;
  /** True when this run generated the client and API key (first run or --reset). */
  created: boolean;
}

export interface RunningSandbox {
  result: SandboxResult;
  close(): Promise<void>;
}

interface Identity {
  format: 1;
  clientId: string;
  clientSecret: string;
  apiKey: string;
  createdAt: string;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An Okta-style client ID: `0oa` and 17 letters or digits (20 characters). */
export function newClientId(): string {
  const bytes = randomBytes(17);
  let id = '0oa';
  for (const b of bytes) id += ALNUM[b % ALNUM.length];
  return id;
}

function writePrivate(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on write
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function loadIdentity(file: string): Identity | null {
  const text = readOrNull(file);
  if (!text) return null;
  try {
    const d = JSON.parse(text) as Partial<Identity>;
    if (
      d.format === 1 &&
      typeof d.clientId === 'string' &&
      /^0oa[A-Za-z0-9]{17}$/.test(d.clientId) &&
      typeof d.clientSecret === 'string' &&
      d.clientSecret.length >= 20 &&
      typeof d.apiKey === 'string' &&
      d.apiKey.length >= 20
    ) {
      return d as Identity;
    }
  } catch {
    // unreadable: make a new one
  }
  return null;
}

/** Single-quoted for POSIX shells. */
export function shellQuote(v: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

export function renderExports(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => `export ${k}=${shellQuote(v)}\n`)
    .join('');
}

export async function run(opts: SandboxOptions, deps: SandboxDeps): Promise<RunningSandbox> {
  const dir = join(configDir(deps.env), 'sandbox');
  const files = {
    caCert: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    identity: join(dir, 'sandbox.json'),
    data: join(dir, 'cortex-api.json'),
    env: join(dir, 'sandbox.env'),
  };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Before anything is replaced: a running sandbox keeps its files (and --reset waits its turn).
  const lock = takeSandboxLock(join(dir, 'sandbox.pid'));
  try {
    return await start(opts, dir, files, lock);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function start(
  opts: SandboxOptions,
  dir: string,
  files: { caCert: string; caKey: string; identity: string; data: string; env: string },
  lock: SandboxLock,
): Promise<RunningSandbox> {
  if (opts.reset) {
    for (const f of Object.values(files)) rmSync(f, { force: true });
  }

  let ca: CaFiles | null = null;
  const certPem = readOrNull(files.caCert);
  const keyPem = readOrNull(files.caKey);
  if (certPem && keyPem && caUsable({ certPem, keyPem })) ca = { certPem, keyPem };
  const caCreated = ca === null;
  if (!ca) {
    ca = await createCa();
    writePrivate(files.caKey, ca.keyPem);
    writePrivate(files.caCert, ca.certPem);
  }

  let identity = loadIdentity(files.identity);
  const created = identity === null;
  if (!identity) {
    identity = {
      format: 1,
      clientId: newClientId(),
      clientSecret: randomBytes(30).toString('base64url'),
      apiKey: `sandbox-${randomBytes(24).toString('hex')}`,
      createdAt: new Date().toISOString(),
    };
    writePrivate(files.identity, `${JSON.stringify(identity, null, 2)}\n`);
    // A new key and client: connections saved for the old ones would only confuse.
    rmSync(files.data, { force: true });
  }

  const leaf = await issueLeaf(ca);
  const grantTypes = ['authorization_code'];
  let api: CortexApi | undefined;
  let issuer: Issuer | undefined;
  try {
    issuer = await startIssuer({
      tls: leaf,
      port: opts.portIssuer,
      clients: [
        {
          clientId: identity.clientId,
          clientSecret: identity.clientSecret,
          redirectUris: [SANDBOX_REDIRECT_URI],
          grantTypes,
        },
      ],
    });
    api = await startCortexApi({ tokens: [identity.apiKey], port: opts.portApi, dataFile: files.data });
  } catch (err) {
    await issuer?.close();
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      const flag = issuer ? '--port-api' : '--port-issuer';
      const port = issuer ? opts.portApi : opts.portIssuer;
      throw new CortexSsoError(
        'USAGE',
        `${flag} ${port}: ${code === 'EADDRINUSE' ? 'the port is in use' : 'not allowed to listen there'}; give another port, or 0 for a free one`,
        { cause: err },
      );
    }
    throw err;
  }

  const env: Record<string, string> = {
    CORTEX_BASE_URL: api.url,
    CORTEX_API_KEY: identity.apiKey,
    CORTEX_SSO_ISSUER: issuer.issuer,
    CORTEX_SSO_CLIENT_ID: identity.clientId,
    CORTEX_SSO_CLIENT_SECRET: identity.clientSecret,
    // Trusted like a public root, so diagnose judges the chain as it would judge Okta's (no
    // "TLS inspection" warning, which NODE_EXTRA_CA_CERTS would cause: src/net/trust.ts).
    CORTEX_SSO_PUBLIC_CA_FILE: files.caCert,
    CORTEX_SSO_PROFILE: SANDBOX_PROFILE,
  };
  writePrivate(files.env, renderExports(env));

  const result: SandboxResult = {
    schemaVersion: 1,
    ok: true,
    cortexApi: { url: api.url, port: api.port, apiKey: identity.apiKey, dataFile: files.data },
    issuer: {
      url: issuer.issuer,
      port: issuer.port,
      clientId: identity.clientId,
      clientSecret: identity.clientSecret,
      redirectUri: SANDBOX_REDIRECT_URI,
      grantTypes,
    },
    ca: { file: files.caCert, created: caCreated },
    dir,
    envFile: files.env,
    env,
    created,
  };
  const servers = [api, issuer];
  let closing: Promise<void> | undefined;
  return {
    result,
    close: () => {
      closing ??= Promise.allSettled(servers.map((s) => s.close())).then(() => {
        // The settings are only valid while the servers run.
        rmSync(files.env, { force: true });
        lock.release();
      });
      return closing;
    },
  };
}

/** The text a person sees (stderr); the export lines themselves go to stdout. */
export function renderBanner(r: SandboxResult): string {
  return [
    'cortex-sso sandbox: everything on this machine, nothing leaves it.',
    `  Cortex API (reference)  ${r.cortexApi.url}`,
    `  Okta-like issuer        ${r.issuer.url}  (client ${r.issuer.clientId}, redirect URI ${r.issuer.redirectUri})`,
    `  CA                      ${r.ca.file}${r.ca.created ? ' (new)' : ' (reused; --reset for a new one)'}`,
    '',
    'The client secret and API key below are generated for this sandbox only (kept 0600 in',
    `${r.dir}); they are printed because trying the commands needs them.`,
    'In another terminal:',
    `  eval "$(cat ${shellQuote(r.envFile)})"`,
    '  cortex-sso connector set --type okta --no-store --yes',
    '',
    'Ctrl+C stops the sandbox.',
    '',
  ].join('\n');
}
