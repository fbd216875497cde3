// `connector set` as a person at a terminal: the real @inquirer prompts, driven in-process through
// `run(args, io)` with terminal-like streams. Each answer is typed only after its prompt has been
// drawn, as a person would. The real issuer, the reference API and the real keychain are behind it.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { run } from '../../src/cli.js';
import { openConfigStore } from '../../src/config/store.js';
import type { Io } from '../../src/io.js';
import type { CortexApi } from '../../src/sandbox/cortex-api.js';
import { createOsKeychain, type Keychain } from '../../src/secrets/keychain.js';
import { runCli, tempDir } from '../support/cli.ts';
import { startConnectorWorld } from '../support/connector-world.ts';
import { secretTool } from '../support/keyring.ts';
import type { OidcIssuer } from '../support/oidc-issuer.ts';

const skip = inject('keyringSkipReason');
const bus = inject('keyringBusAddress');
// The native keychain reads the bus address from this process's environment.
if (bus) process.env.DBUS_SESSION_BUS_ADDRESS = bus;

const CLIENT_ID = '0oa1a2b3c4d5e6f7g8h9';
/** A client ID that does not look like Okta's (0oa + 17 characters): asked about at the prompt. */
const ODD_ID = 'cortex-sso-test-app';
const SECRET = `Sx${randomBytes(24).toString('hex')}`;
const TOKEN = `TOKEN${randomBytes(16).toString('hex')}`;
const CALLBACK = 'https://cortexapp.auth0.com/login/callback';
const WAIT_MS = 15_000;

let issuer: OidcIssuer;
let api: CortexApi;

/** The OIDC connections Cortex holds now. */
const oidcNow = () => api.configurations().filter((c) => 'issuerUri' in c);
let dir: string;
let caFile: string;
let n = 0;
let savedTerm: string | undefined;

/**
 * A terminal: a keyboard (stdin in raw mode) and a screen (stderr, where prompts draw; stdout,
 * where the result goes). Everything drawn is kept, so a test can read the whole session.
 */
class Terminal {
  readonly keyboard = Object.assign(new PassThrough(), {
    isTTY: true,
    isRaw: false,
    setRawMode(mode: boolean) {
      this.isRaw = mode;
      return this;
    },
  });
  /** Raw bytes drawn on stderr (prompts) and stdout (the report). */
  err = '';
  out = '';
  private mark = 0;

  readonly io: Io;

  /** `stdoutTty: false`: stdout goes to a file or a pipe (`--json > result.json`), the prompts still to the terminal. */
  constructor(env: Record<string, string | undefined>, { stdoutTty = true } = {}) {
    const screen = (onText: (s: string) => void, isTTY = true) => {
      const w = new Writable({
        write(chunk, _enc, cb) {
          onText(String(chunk));
          cb();
        },
      });
      // A terminal stays open when one prompt finishes: the prompt library ends the stream it was
      // given when it is done (process.stderr ignores that; a plain Writable would not).
      // Wide enough that no prompt or message wraps (wrapping splits words, which makes matching hard).
      return Object.assign(
        w,
        isTTY ? { isTTY: true, columns: 200, rows: 40, end: () => w } : { end: () => w },
      );
    };
    this.io = {
      stdin: this.keyboard,
      stdout: screen((s) => {
        this.out += s;
      }, stdoutTty),
      stderr: screen((s) => {
        this.err += s;
      }),
      env,
    };
  }

  /** What a person saw on stderr, without colours and cursor movements. */
  get screenText(): string {
    return stripVTControlCharacters(this.err);
  }

  /**
   * Wait (bounded) until text matching `re` is drawn after the previous wait's match. The text is
   * compared with white space runs as one space.
   */
  async waitFor(re: RegExp | ((drawn: string) => boolean)): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const drawn = stripVTControlCharacters(this.err.slice(this.mark)).replace(/\s+/g, ' ');
      if (typeof re === 'function' ? re(drawn) : re.test(drawn)) {
        this.mark = this.err.length;
        return drawn;
      }
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for ${re} on the terminal. Last drawn:\n${drawn.slice(-1500)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  type(keys: string): void {
    this.keyboard.write(keys);
  }
}

const ENTER = '\r';
const CTRL_U = '\u0015'; // readline: delete to the start of the line
const CTRL_T = '\u0014'; // @inquirer/password: "toggle visibility" (must stay masked)

function env(profile: string): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    NO_COLOR: '1',
    // No CI here: a person at a terminal (the vitest worker may have CI set; it is not passed on).
    DBUS_SESSION_BUS_ADDRESS: bus,
    CORTEX_BASE_URL: api.url,
    CORTEX_API_KEY: TOKEN,
    CORTEX_CONFIG: `${dir}/no-cortex-cli-config`,
    CORTEX_SSO_CONFIG_DIR: dir,
    CORTEX_SSO_PUBLIC_CA_FILE: caFile,
    CORTEX_SSO_PROFILE: profile,
  };
}

function profile(): string {
  n += 1;
  return `i${n}-${process.pid}`;
}

async function stored(p: string): Promise<string> {
  const r = await secretTool({ env: { DBUS_SESSION_BUS_ADDRESS: bus } }, [
    'lookup',
    'service',
    'cortex-sso',
    'username',
    `client-secret:${p}`,
  ]);
  return r.stdout;
}

function savedProfile(p: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).profiles?.[p];
  } catch {
    return undefined;
  }
}

/** The command's exit code, or a failure (with what was on screen) if it does not finish in time. */
async function finished(t: Terminal, code: Promise<number>): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`command did not finish; screen:\n${t.screenText.slice(-1500)}`)),
      WAIT_MS,
    );
  });
  try {
    return await Promise.race([code, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** No run of 8 characters of the secret is on the terminal (its last four alone may be). */
function expectNoSecret(t: Terminal): void {
  const all = `${t.err}\n${t.out}`;
  expect(all).not.toContain(SECRET);
  for (let i = 0; i + 8 <= SECRET.length; i++) expect(all).not.toContain(SECRET.slice(i, i + 8));
}

beforeAll(async () => {
  dir = tempDir();
  ({ issuer, api, caFile } = await startConnectorWorld({
    caDir: dir,
    clients: [
      { clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [CALLBACK] },
      { clientId: ODD_ID, clientSecret: SECRET, redirectUris: [CALLBACK] },
    ],
    api: { tokens: [TOKEN] },
  }));
});

afterAll(async () => {
  await api?.close();
  await issuer?.close();
});

// Node's readline turns line editing off when TERM=dumb (some CI shells set it).
beforeEach(() => {
  savedTerm = process.env.TERM;
  process.env.TERM = 'xterm-256color';
});
afterEach(() => {
  if (savedTerm === undefined) delete process.env.TERM;
  else process.env.TERM = savedTerm;
});

describe.skipIf(skip !== '')('connector set at a terminal (real prompts, keychain, issuer, API)', () => {
  it('asks for each value, validates as you type, masks the secret, confirms, pushes and stores', async () => {
    const p = profile();
    const t = new Terminal(env(p));
    const code = run(['connector', 'set'], t.io);

    expect(await t.waitFor(/Identity provider type.*Okta/)).toMatch(/Okta OpenID Connect/);
    t.type(ENTER); // the default: Okta

    await t.waitFor(/Okta client ID/);
    t.type(`   ${CLIENT_ID}  ${ENTER}`); // pasted with spaces around it

    await t.waitFor(/Okta client secret \(shown once in Okta; input is masked\)/);
    t.type(SECRET);
    t.type(CTRL_T); // the library's "reveal" key must not show it
    await t.waitFor((drawn) => drawn.includes(`masked) ${'*'.repeat(SECRET.length)}`));
    t.type(ENTER);

    await t.waitFor(/Okta issuer/);
    t.type(`https://acme-admin.okta.com${ENTER}`); // the admin console, a common mistake
    const refusal = await t.waitFor(/admin console/);
    expect(refusal).toMatch(/acme-admin\.okta\.com is the Okta admin console, not an issuer/);
    expect(refusal).toMatch(/Did you mean https:\/\/acme\.okta\.com \?/);
    t.type(`${CTRL_U}${issuer.issuer}${ENTER}`);

    const confirm = await t.waitFor(/Push to .*\?/);
    expect(confirm).toContain(`Push to ${api.url}`);
    // The person sees what will change and what the checks found BEFORE answering.
    const beforeQuestion = t.screenText.slice(0, t.screenText.lastIndexOf('Push to'));
    expect(beforeQuestion).toMatch(/Changes: Cortex holds no connection for this profile; this creates one:/);
    expect(beforeQuestion).toMatch(/Pre-flight[\s\S]*credentials\s+Client ID and secret accepted/);
    expect(confirm).toMatch(/users sign in to Cortex only through this Okta connector/);
    expect(oidcNow()).toEqual([]); // nothing pushed before the answer
    t.type(`y${ENTER}`);

    expect(await finished(t, code)).toBe(0);
    expect(t.out).toContain(`client ID     ${CLIENT_ID}  (prompt)`);
    expect(t.out).toContain('note: removed white space around the client ID');
    expect(t.out).toContain(`client secret ****${SECRET.slice(-4)}  (prompt)`);
    expect(t.out).toContain(`issuer        ${issuer.issuer}  (prompt)`);
    expect(t.out).toMatch(/Pushed: Cortex lists the new connection \S+ with these values/);
    expect(t.out).not.toMatch(/Pre-flight/); // shown once, before the question, not again
    expect(t.out).toMatch(/Secret: stored in the OS keychain/);

    // The masked line shows stars only, as many as were typed; the secret is nowhere on screen.
    const screen = t.screenText;
    const answered = screen.slice(screen.lastIndexOf('input is masked)') + 'input is masked)'.length);
    expect(answered.split(/[\n?✔]/)[0]?.trim()).toBe('*'.repeat(SECRET.length));
    expect(t.screenText).not.toMatch(/toggle visibility/);
    expectNoSecret(t);

    expect(oidcNow()).toEqual([
      expect.objectContaining({ connectionType: 'OKTA', id: CLIENT_ID, issuerUri: issuer.issuer }),
    ]);
    expect(api.secretMatches(oidcNow()[0]?.connectionId ?? '', SECRET)).toBe(true);
    expect(await stored(p)).toBe(SECRET);
    expect(savedProfile(p)).toMatchObject({ type: 'okta', clientId: CLIENT_ID, issuer: issuer.issuer });
  });

  it('with stdout redirected (--json > result.json) a person at the terminal is still asked', async () => {
    const p = profile();
    const t = new Terminal(env(p), { stdoutTty: false });
    const code = run(['connector', 'set', '--json'], t.io);
    await t.waitFor(/Identity provider type/);
    t.type(ENTER);
    await t.waitFor(/Okta client ID/);
    t.type(`${CLIENT_ID}${ENTER}`);
    await t.waitFor(/Okta client secret/);
    t.type(`${SECRET}${ENTER}`);
    await t.waitFor(/Okta issuer/);
    t.type(`${issuer.issuer}${ENTER}`);
    await t.waitFor(/Push to .*\?/);
    t.type(`n${ENTER}`);
    expect(await finished(t, code)).toBe(2);
    // The prompts went to the terminal; the file got the JSON document only.
    expect(t.out).not.toMatch(/Okta client ID/);
    expect(JSON.parse(t.out)).toMatchObject({ ok: false });
    expectNoSecret(t);
    expect(savedProfile(p)).toBeUndefined();
  });

  it('answering "no" at the push confirmation changes nothing and says "Cancelled"', async () => {
    const p = profile();
    const before = oidcNow();
    const puts = () => api.requests.filter((r) => r.method === 'POST' || r.method === 'DELETE').length;
    const putsBefore = puts();
    const t = new Terminal(env(p));
    const code = run(['connector', 'set'], t.io);

    await t.waitFor(/Identity provider type/);
    t.type(ENTER);
    await t.waitFor(/Okta client ID/);
    t.type(`${CLIENT_ID}${ENTER}`);
    await t.waitFor(/Okta client secret/);
    t.type(`${SECRET}${ENTER}`);
    await t.waitFor(/Okta issuer/);
    t.type(`${issuer.issuer}${ENTER}`);
    await t.waitFor(/Push to .*\?/);
    t.type(`n${ENTER}`);

    expect(await finished(t, code)).toBe(2);
    expect(t.screenText).toMatch(/Cancelled: nothing was pushed or changed/);
    expect(t.out).toBe('');
    expectNoSecret(t);
    expect(puts()).toBe(putsBefore);
    expect(oidcNow()).toEqual(before);
    expect(await stored(p)).toBe('');
    expect(savedProfile(p)).toBeUndefined();
  });

  it('an empty answer at the secret prompt keeps the stored secret', async () => {
    const p = profile();
    // First set up non-interactively, as CI would.
    const first = await runCli(
      ['connector', 'set', '--type', 'okta', '--client-id', CLIENT_ID, '--issuer', issuer.issuer],
      { env: { ...env(p), CORTEX_SSO_CLIENT_SECRET: SECRET } },
    );
    expect(first.code).toBe(0);
    const firstId = oidcNow().find((c) => c.id === CLIENT_ID)?.connectionId;

    const t = new Terminal(env(p));
    // The real keychain, counting its reads: each one may be a keychain prompt (macOS).
    const real = createOsKeychain({ env: t.io.env });
    const reads: string[] = [];
    const keychain: Keychain = {
      description: real.description,
      get: (account) => {
        reads.push(account);
        return real.get(account);
      },
      set: (account, secret) => real.set(account, secret),
      delete: (account) => real.delete(account),
    };
    const code = run(['connector', 'set'], t.io, { keychain });
    await t.waitFor(/Identity provider type/);
    t.type(ENTER);
    const idPrompt = await t.waitFor(/Okta client ID/);
    expect(idPrompt).toContain(CLIENT_ID); // the saved value is the default
    t.type(ENTER);
    await t.waitFor(new RegExp(`Okta client secret \\(Enter keeps \\*\\*\\*\\*${SECRET.slice(-4)}\\)`));
    t.type(ENTER);
    const issuerPrompt = await t.waitFor(/Okta issuer/);
    expect(issuerPrompt).toContain(issuer.issuer);
    t.type(ENTER);
    const confirm = await t.waitFor(/Push to .*\?/);
    expect(confirm).toMatch(/\(clientSecret\)\?/); // only the secret is pushed again
    t.type(`y${ENTER}`);

    expect(await finished(t, code)).toBe(0);
    expect(t.out).toContain(`client secret ****${SECRET.slice(-4)}  (keychain)`);
    expect(t.out).toMatch(/Pushed/);
    expectNoSecret(t);
    const now = oidcNow().filter((c) => c.id === CLIENT_ID);
    expect(now).toHaveLength(1);
    expect(now[0]?.connectionId).not.toBe(firstId);
    expect(api.secretMatches(now[0]?.connectionId ?? '', SECRET)).toBe(true);
    expect(await stored(p)).toBe(SECRET);
    // One read of the stored secret serves the early "is there a keychain?" check and the prompt's
    // "Enter keeps"; a kept secret needs no storage decision.
    expect(reads.filter((a) => a.startsWith('client-secret:'))).toEqual([`client-secret:${p}`]);
  });

  it('shows the values with their sources, the notes and the pre-flight BEFORE "Push?"', async () => {
    const p = profile();
    const t = new Terminal(env(p));
    const code = run(['connector', 'set'], t.io);
    await t.waitFor(/Identity provider type/);
    t.type(ENTER);
    await t.waitFor(/Okta client ID/);
    t.type(`  ${CLIENT_ID}${ENTER}`);
    await t.waitFor(/Okta client secret/);
    t.type(`${SECRET}${ENTER}`);
    await t.waitFor(/Okta issuer/);
    t.type(`${issuer.issuer}${ENTER}`);
    await t.waitFor(/Push to .*\?/);
    const beforeQuestion = t.screenText.slice(0, t.screenText.lastIndexOf('Push to'));
    expect(beforeQuestion).toContain(`Connector for profile "${p}"`);
    expect(beforeQuestion).toContain(`client ID     ${CLIENT_ID}  (prompt)`);
    expect(beforeQuestion).toContain(`client secret ****${SECRET.slice(-4)}  (prompt)`);
    expect(beforeQuestion).toContain(`issuer        ${issuer.issuer}  (prompt)`);
    expect(beforeQuestion).toContain(`redirect URI  ${CALLBACK}`);
    expect(beforeQuestion).toContain('note: removed white space around the client ID');
    expect(beforeQuestion).toMatch(/Pre-flight[\s\S]*credentials\s+Client ID and secret accepted/);
    expect(beforeQuestion.indexOf('client ID     ')).toBeLessThan(beforeQuestion.indexOf('Pre-flight'));
    t.type(`n${ENTER}`);
    expect(await finished(t, code)).toBe(2);
    expectNoSecret(t);
  });

  it('declining "use it anyway?" for an odd client ID asks for the client ID again, not abort', async () => {
    const p = profile();
    const t = new Terminal(env(p));
    const code = run(['connector', 'set'], t.io);
    await t.waitFor(/Identity provider type/);
    t.type(ENTER);
    await t.waitFor(/Okta client ID/);
    t.type(`${ODD_ID}${ENTER}`);
    expect(await t.waitFor(/Use it anyway\?/)).toContain(
      `"${ODD_ID}" the client ID does not look like an Okta app client ID`,
    );
    t.type(`n${ENTER}`);
    await t.waitFor(/Okta client ID/); // asked again: the run goes on
    t.type(`${CTRL_U}${CLIENT_ID}${ENTER}`);
    await t.waitFor(/Okta client secret/);
    t.type(`${SECRET}${ENTER}`);
    await t.waitFor(/Okta issuer/);
    t.type(`${issuer.issuer}${ENTER}`);
    await t.waitFor(/Push to .*\?/);
    expect(t.screenText.slice(0, t.screenText.lastIndexOf('Push to'))).toContain(
      `client ID     ${CLIENT_ID}  (prompt)`,
    );
    t.type(`n${ENTER}`);
    expect(await finished(t, code)).toBe(2);
    expect(t.screenText).not.toMatch(/client ID was not confirmed/);
  });

  it('a client ID already accepted and saved in the profile is not questioned again', async () => {
    const p = profile();
    openConfigStore({ env: env(p) }).setProfile(p, { type: 'okta', clientId: ODD_ID, issuer: issuer.issuer });
    const t = new Terminal(env(p));
    const code = run(['connector', 'set'], t.io);
    await t.waitFor(/Identity provider type/);
    t.type(ENTER);
    expect(await t.waitFor(/Okta client ID/)).toContain(ODD_ID); // the saved value is the default
    t.type(ENTER);
    await t.waitFor(/Okta client secret/);
    t.type(`${SECRET}${ENTER}`);
    await t.waitFor(/Okta issuer/);
    t.type(ENTER);
    await t.waitFor(/Push to .*\?/);
    expect(t.screenText).not.toMatch(/Use it anyway/);
    expect(t.screenText).toContain(`client ID     ${ODD_ID}  (prompt)`);
    t.type(`n${ENTER}`);
    expect(await finished(t, code)).toBe(2);
  });
});
