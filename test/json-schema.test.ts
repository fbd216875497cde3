// docs/json-schema.json describes what `--json` really prints: real documents from the built binary
// (a healthy run, failing runs, connector verify, error documents) validate, broken ones do not.
// The validator below implements exactly the JSON Schema subset the schema uses, and refuses any
// other keyword, so the schema cannot silently rely on something nobody checks.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHECK_ORDER } from '../src/checks/runner.ts';
import { CODES } from '../src/codes.ts';
import { type CortexApi, startCortexApi } from '../src/sandbox/cortex-api.ts';
import { BIN, baseEnv, runCli, tempDir, writeTemp } from './support/cli.ts';
import { type HttpFixtures, startHttpFixtures } from './support/http-fixtures.ts';
import { type OidcIssuer, startOidcIssuer } from './support/oidc-issuer.ts';
import { createTestPki } from './support/pki.ts';
import { freePort } from './support/tls-servers.ts';

type Schema = boolean | { [keyword: string]: unknown };

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$comment', 'examples']);
const KEYWORDS = new Set([
  'type',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'items',
  '$ref',
  '$defs',
  'anyOf',
  'minimum',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function hasType(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

/**
 * Validate `value` against `schema` (resolving `#/$defs/...` in `root`). Returns the errors, each
 * "path: what"; empty when valid. Throws on a keyword outside the supported subset.
 */
function validate(value: unknown, schema: Schema, root: Schema = schema, path = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: not allowed here`];
  for (const k of Object.keys(schema)) {
    if (!KEYWORDS.has(k) && !ANNOTATIONS.has(k))
      throw new Error(`unsupported schema keyword "${k}" at ${path}`);
  }
  const errors: string[] = [];
  if (typeof schema.$ref === 'string') {
    const m = /^#\/\$defs\/([\w-]+)$/.exec(schema.$ref);
    const defs = typeof root === 'object' ? (root.$defs as Record<string, Schema> | undefined) : undefined;
    const target = m?.[1] !== undefined ? defs?.[m[1]] : undefined;
    if (target === undefined) throw new Error(`unresolvable $ref ${schema.$ref} at ${path}`);
    errors.push(...validate(value, target, root, path));
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => hasType(value, t))) {
      // Type is the foundation; the other keywords would only add noise.
      return [...errors, `${path}: expected ${types.join(' or ')}, got ${typeOf(value)}`];
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => e === value)) {
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof schema.minimum === 'number' && typeof value === 'number' && value < schema.minimum) {
    errors.push(`${path}: ${value} is below the minimum ${schema.minimum}`);
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of (schema.required as string[] | undefined) ?? []) {
      if (!(r in obj)) errors.push(`${path}: missing required "${r}"`);
    }
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      const p = props[k];
      if (p !== undefined) errors.push(...validate(v, p, root, `${path}.${k}`));
      else if (schema.additionalProperties !== undefined) {
        errors.push(...validate(v, schema.additionalProperties as Schema, root, `${path}.${k}`));
      }
    }
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((item, i) => {
      errors.push(...validate(item, schema.items as Schema, root, `${path}[${i}]`));
    });
  }
  if (Array.isArray(schema.anyOf)) {
    const branches = (schema.anyOf as Schema[]).map((s) => validate(value, s, root, path));
    if (!branches.some((b) => b.length === 0)) {
      errors.push(`${path}: matches none of anyOf (${branches.map((b) => b[0] ?? '').join(' | ')})`);
    }
  }
  return errors;
}

const schema = JSON.parse(readFileSync(new URL('../docs/json-schema.json', import.meta.url), 'utf8')) as {
  [k: string]: unknown;
  $defs: Record<string, { [k: string]: unknown }>;
};
const prose = readFileSync(new URL('../docs/json-output.md', import.meta.url), 'utf8');

// ── real documents ────────────────────────────────────────────────────────────

const SECRET = `CANARY${randomBytes(16).toString('hex')}`;
const TOKEN = `TOKEN${randomBytes(16).toString('hex')}`;
const CLIENT_ID = '0oa1a2b3c4d5e6f7g8h9';
const CALLBACK = 'https://cortexapp.auth0.com/login/callback';

let rootFile: string;
let fixtures: HttpFixtures;
let oidc: OidcIssuer;
let api: CortexApi;
let configDir: string;
const docs: Record<string, unknown> = {};

async function json(args: string[], env: Record<string, string | undefined>, exit: number): Promise<unknown> {
  const r = await runCli(args, { env });
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(exit);
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  const pki = await createTestPki();
  const dir = tempDir('cortex-sso-schema-');
  configDir = tempDir('cortex-sso-schema-config-');
  rootFile = writeTemp(dir, 'root.pem', pki.root.certPem);
  fixtures = await startHttpFixtures({ tls: pki.leaf });
  oidc = await startOidcIssuer({
    tls: pki.leaf,
    clients: [{ clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [CALLBACK] }],
  });
  api = await startCortexApi({ tokens: [TOKEN] });
  const env = { CORTEX_SSO_PUBLIC_CA_FILE: rootFile };
  const verifyEnv = {
    ...env,
    CORTEX_SSO_CONFIG_DIR: configDir,
    CORTEX_SSO_CLIENT_ID: CLIENT_ID,
    CORTEX_SSO_CLIENT_SECRET: SECRET,
    CORTEX_SSO_ISSUER: oidc.issuer,
    CORTEX_BASE_URL: api.url,
    CORTEX_API_KEY: TOKEN,
    CORTEX_CONFIG: `${configDir}/no-cortex-cli-config`,
  };
  const refused = `https://localhost:${await freePort()}`;
  const [healthy, failing, mixed, strict, verify, usage, missing] = await Promise.all([
    json(['diagnose', '--json', '--issuer', fixtures.issuer('healthy')], env, 0),
    json(['diagnose', '--json', '--issuer', fixtures.issuer('jwks-empty')], env, 1),
    json(['diagnose', '--json', '--issuer', refused, '--issuer', 'https://acme-admin.okta.com'], env, 1),
    json(['diagnose', '--json', '--strict', '--issuer', fixtures.issuer('skew-45s')], env, 1),
    json(['connector', 'verify', '--json'], verifyEnv, 0),
    json(['diagnose', '--json'], env, 2),
    json(
      ['connector', 'verify', '--json'],
      // No client ID and no issuer anywhere; the secret from env, so no keychain is touched.
      {
        CORTEX_SSO_CONFIG_DIR: configDir,
        CORTEX_SSO_PROFILE: 'empty-profile',
        CORTEX_SSO_CLIENT_SECRET: SECRET,
      },
      2,
    ),
  ]);
  Object.assign(docs, { healthy, failing, mixed, strict, verify, usage, missing });

  // Every other command's document, from the same binary, run one after another (each builds on the
  // last): no keychain (CI), the secret from the environment.
  const ci = {
    ...verifyEnv,
    CI: 'true',
    CORTEX_SSO_PROFILE: 'schema-docs',
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cortex-sso-schema-bus',
  };
  const setArgs = ['connector', 'set', '--type', 'okta', '--json'];
  docs.setDryRun = await json([...setArgs, '--dry-run'], ci, 0);
  docs.set = await json(setArgs, ci, 0);
  docs.setRefused = await json(setArgs, { ...ci, CORTEX_SSO_CLIENT_SECRET: `wrong-${SECRET}` }, 1);
  docs.show = await json(['connector', 'show', '--json'], ci, 0);
  docs.showUnreadable = await json(
    ['connector', 'show', '--json'],
    { ...ci, CORTEX_API_KEY: 'wrong-key' },
    1,
  );
  docs.delete = await json(['connector', 'delete', '--yes', '--json'], ci, 0);
  docs.statusEnv = await json(['auth', 'status', '--json'], ci, 0);
  // No key in the environment, and no keychain to look in: an error document that names the keychain.
  docs.statusNone = await json(['auth', 'status', '--json'], { ...ci, CORTEX_API_KEY: undefined }, 1);
  docs.logout = await json(['auth', 'logout', '--json'], ci, 1); // no keychain here: an error document
  docs.adminVerify = await json(
    ['connector', 'verify', '--json', '--issuer', 'https://acme-admin.okta.com'],
    verifyEnv,
    1,
  );
  docs.adminDiagnose = await json(['diagnose', '--json', '--issuer', 'https://acme-admin.okta.com'], env, 1);
  docs.sandbox = await sandboxDocument();
  const bus = inject('keyringSkipReason') === '' ? inject('keyringBusAddress') : undefined;
  if (bus) {
    const kc = {
      ...ci,
      CI: undefined,
      DBUS_SESSION_BUS_ADDRESS: bus,
      CORTEX_SSO_PROFILE: `schema-kc-${process.pid}`,
    };
    const login = await runCli(['auth', 'login', '--with-token', '--json'], { env: kc, stdin: TOKEN });
    expect(login.code, login.stderr).toBe(0);
    docs.login = JSON.parse(login.stdout);
    docs.logoutKeychain = await json(['auth', 'logout', '--json'], kc, 0);
  }
});

/** `sandbox --json` prints its document, then serves until stopped: read the document, then stop it. */
function sandboxDocument(): Promise<unknown> {
  const child = spawn(process.execPath, [BIN, 'sandbox', '--json'], {
    cwd: tempDir('cortex-sso-schema-sandbox-cwd-'),
    env: { ...baseEnv(), CI: 'true', CORTEX_SSO_CONFIG_DIR: tempDir('cortex-sso-schema-sandbox-') },
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('sandbox printed no JSON within 30 s'));
    }, 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      try {
        const doc = JSON.parse(out) as unknown;
        clearTimeout(timer);
        child.kill('SIGINT');
        resolve(doc);
      } catch {
        // not complete yet
      }
    });
    child.on('close', () => clearTimeout(timer));
  });
}

afterAll(async () => {
  await fixtures?.close();
  await oidc?.close();
  await api?.close();
});

describe('docs/json-schema.json', () => {
  it('is draft 2020-12 and uses only the keywords the validator implements', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(validate({}, schema as Schema).length).toBeGreaterThan(0); // walks the whole tree, throws on others
    for (const def of Object.values(schema.$defs)) validate(null, def as Schema, schema as Schema);
  });

  it('lists every code of src/codes.ts and every check id, in order', () => {
    expect(schema.$defs.Code?.enum).toEqual(Object.keys(CODES));
    expect(schema.$defs.CheckId?.enum).toEqual([...CHECK_ORDER]);
  });

  for (const name of [
    'healthy',
    'failing',
    'mixed',
    'strict',
    'verify',
    'usage',
    'missing',
    'setDryRun',
    'set',
    'setRefused',
    'show',
    'showUnreadable',
    'delete',
    'statusEnv',
    'statusNone',
    'logout',
    'adminVerify',
    'adminDiagnose',
    'login',
    'logoutKeychain',
    'sandbox',
  ]) {
    it(`a real "${name}" document validates`, ({ skip }) => {
      if (docs[name] === undefined) skip(`no keyring here: ${inject('keyringSkipReason')}`);
      expect(validate(docs[name], schema as Schema)).toEqual([]);
      expect(docs[name]).toMatchObject({ schemaVersion: 1, ok: expect.any(Boolean) });
    });
  }

  it('every command document is what its name says, and none carries a secret or the key', () => {
    expect(docs.set).toMatchObject({ ok: true, pushed: true, stored: { secret: 'not-stored' } });
    expect(docs.setRefused).toMatchObject({ ok: false, pushed: false, code: 'PREFLIGHT_FAILED' });
    expect(docs.show).toMatchObject({ ok: true, drift: [] });
    expect(docs.showUnreadable).toMatchObject({ ok: false, remoteError: { code: 'API_UNAUTHORIZED' } });
    expect(docs.delete).toMatchObject({ ok: true, remoteDeleted: true });
    expect(docs.statusNone).toMatchObject({ ok: false, error: { code: 'KEYCHAIN_UNAVAILABLE' } });
    expect(docs.logout).toMatchObject({ ok: false, error: { code: 'KEYCHAIN_UNAVAILABLE' } });
    const all = JSON.stringify(docs);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(TOKEN);
  });

  it('verify and diagnose agree on the same bad input: exit 1 and a result whose issuer-url fails', () => {
    const issuerUrl = (d: unknown) =>
      (
        d as {
          results: Array<{ checks: Array<{ id: string; status: string; code?: string; title: string }> }>;
        }
      ).results[0]?.checks.find((c) => c.id === 'issuer-url');
    const fromVerify = issuerUrl(docs.adminVerify);
    const fromDiagnose = issuerUrl(docs.adminDiagnose);
    expect(fromVerify).toMatchObject({ status: 'fail', code: 'ISSUER_ADMIN_DOMAIN' });
    expect(fromDiagnose).toMatchObject({ status: 'fail', code: 'ISSUER_ADMIN_DOMAIN' });
    expect(fromDiagnose?.title).toBe(fromVerify?.title);
  });

  it('the real documents are what their names say', () => {
    expect(docs.healthy).toMatchObject({ ok: true });
    expect(docs.failing).toMatchObject({ ok: false });
    expect(docs.verify).toMatchObject({ ok: true, clientId: CLIENT_ID, redirectUri: CALLBACK });
    expect(docs.usage).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    expect(docs.missing).toMatchObject({ ok: false, error: { code: 'INPUT_MISSING' } });
    expect((docs.missing as { error: { detail?: string; advice?: string } }).error.detail).toBeTruthy();
    expect((docs.missing as { error: { detail?: string; advice?: string } }).error.advice).toBeTruthy();
  });
});

describe('the validator rejects broken documents', () => {
  interface Doc {
    [k: string]: unknown;
    results: Array<{ ok: unknown; checks: Array<Record<string, unknown>> }>;
  }
  const healthy = () => structuredClone(docs.healthy) as Doc;
  const first = (d: Doc) => d.results[0]!.checks[0]!;
  const breakages: Array<[string, (d: Doc) => unknown]> = [
    [
      'a missing top-level field',
      (d) => {
        delete (d as Partial<Doc>).results;
      },
    ],
    [
      'schemaVersion 2',
      (d) => {
        d.schemaVersion = 2;
      },
    ],
    [
      'an undocumented top-level field',
      (d) => {
        d.extra = true;
      },
    ],
    [
      'an unknown status',
      (d) => {
        first(d).status = 'ok';
      },
    ],
    [
      'an unknown check id',
      (d) => {
        first(d).id = 'ping';
      },
    ],
    [
      'a fractional duration',
      (d) => {
        first(d).durationMs = 1.5;
      },
    ],
    [
      'a negative duration',
      (d) => {
        first(d).durationMs = -1;
      },
    ],
    [
      'a code on a passing check',
      (d) => {
        first(d).code = 'DNS_FAILURE';
      },
    ],
    [
      'a failing check without a code',
      (d) => {
        first(d).status = 'fail';
      },
    ],
    ['an unknown code', (d) => Object.assign(first(d), { status: 'fail', code: 'NOPE', advice: 'x' })],
    [
      'ok as a string',
      (d) => {
        d.results[0]!.ok = 'true';
      },
    ],
    [
      'data as an array',
      (d) => {
        first(d).data = [];
      },
    ],
    [
      'an undocumented check field',
      (d) => {
        first(d).severity = 'high';
      },
    ],
  ];
  for (const [name, breakIt] of breakages) {
    it(name, () => {
      const d = healthy();
      expect(validate(d, schema as Schema)).toEqual([]);
      breakIt(d);
      expect(validate(d, schema as Schema)).not.toEqual([]);
    });
  }

  it('an error document without a message, or with ok: true', () => {
    const e = structuredClone(docs.usage) as { ok: unknown; error: Record<string, unknown> };
    delete e.error.message;
    expect(validate(e, schema as Schema)).not.toEqual([]);
    const ok = structuredClone(docs.usage) as { ok: unknown };
    ok.ok = true;
    expect(validate(ok, schema as Schema)).not.toEqual([]);
  });

  it('a verify document without its clientId', () => {
    const v = structuredClone(docs.verify) as Record<string, unknown>;
    delete v.clientId;
    expect(validate(v, schema as Schema)).not.toEqual([]);
  });

  it('refuses schema keywords it does not implement', () => {
    expect(() => validate(1, { oneOf: [] })).toThrow(/unsupported schema keyword "oneOf"/);
    expect(() => validate(1, { $ref: '#/$defs/Nope' }, { $defs: {} })).toThrow(/unresolvable/);
  });
});

describe('docs/json-output.md', () => {
  it('names every property of the schema, every status and every exit code', () => {
    const names = new Set<string>();
    const walk = (s: unknown): void => {
      if (s === null || typeof s !== 'object') return;
      const props = (s as { properties?: Record<string, unknown> }).properties;
      if (props) for (const k of Object.keys(props)) names.add(k);
      for (const v of Object.values(s)) walk(v);
    };
    walk(schema);
    expect(names.size).toBeGreaterThan(15);
    for (const n of names) expect(prose, n).toContain(`\`${n}\``);
    for (const s of ['pass', 'warn', 'fail', 'skip']) expect(prose).toContain(`\`${s}\``);
    for (const c of ['0', '1', '2']) expect(prose).toMatch(new RegExp(`\\|\\s*${c}\\s*\\|`));
    expect(prose).toContain('schemaVersion');
    expect(prose).toContain('docs/json-schema.json');
  });
});
