// The check registry: the one list of checks. Their ids (CheckId), their display order, and which
// checks each command runs all derive from it. A new check is one file (src/checks/<id>.ts exporting
// `check`) plus one line here. This module is light (no check loads until a checklist needs it), so
// the renderers may read it too.
import type { Check } from './types.js';

/** The checklists the commands run. */
export type Checklist = 'diagnose' | 'connector-set' | 'connector-verify' | 'okta-audit';

/** diagnose's checklist; `connector set` and `connector verify` run it too. */
const ISSUER: readonly Checklist[] = ['diagnose', 'connector-set', 'connector-verify'];
/** The Okta-side audit: `okta audit`, and set / verify when an Okta API token is available. */
const OKTA: readonly Checklist[] = ['okta-audit'];

interface Entry {
  /** The checklists that run it. */
  readonly in: readonly Checklist[];
  /** Runs in set's and verify's checklists too when an Okta API token is at hand. */
  readonly withOktaToken?: true;
  /** The text report shows its detail even when it passed (what is being tested). */
  readonly showDetail?: true;
  readonly load: Loader;
}

/** A check module, loaded when a checklist needs it. (Opaque here: Check's type derives from this list.) */
type Loader = () => Promise<unknown>;
const lazy = (load: () => Promise<unknown>): Loader => load;

/** One module can hold several checks (okta-app.ts): pick one by id. */
const pick =
  (id: string) =>
  (m: object): unknown =>
    (m as { checks: readonly { id: string }[] }).checks.find((c) => c.id === id);

/** In display order: the order a user reads the layers in, and the order of the JSON results. */
export const CHECKS = {
  'issuer-url': {
    in: [...ISSUER, 'okta-audit'],
    showDetail: true,
    load: lazy(async (): Promise<unknown> => (await import('./issuer-url.js')).check),
  },
  proxy: {
    in: [...ISSUER, 'okta-audit'],
    load: lazy(async (): Promise<unknown> => (await import('./proxy.js')).check),
  },
  dns: { in: ISSUER, load: lazy(async (): Promise<unknown> => (await import('./dns.js')).check) },
  tcp: { in: ISSUER, load: lazy(async (): Promise<unknown> => (await import('./tcp.js')).check) },
  tls: { in: ISSUER, load: lazy(async (): Promise<unknown> => (await import('./tls.js')).check) },
  certificate: {
    in: ISSUER,
    load: lazy(async (): Promise<unknown> => (await import('./certificate.js')).check),
  },
  discovery: { in: ISSUER, load: lazy(async (): Promise<unknown> => (await import('./discovery.js')).check) },
  jwks: { in: ISSUER, load: lazy(async (): Promise<unknown> => (await import('./jwks.js')).check) },
  endpoints: { in: ISSUER, load: lazy(async (): Promise<unknown> => (await import('./endpoints.js')).check) },
  clock: { in: ISSUER, load: lazy(async (): Promise<unknown> => (await import('./clock.js')).check) },
  credentials: {
    in: ['connector-set', 'connector-verify'],
    load: lazy(async (): Promise<unknown> => (await import('./credentials.js')).check),
  },
  'redirect-uri': {
    in: ['connector-set', 'connector-verify'],
    load: lazy(async (): Promise<unknown> => (await import('./redirect-uri.js')).check),
  },
  // `set` has not pushed the connection yet: only verify compares with Cortex.
  'cortex-connection': {
    in: ['connector-verify'],
    load: lazy(async (): Promise<unknown> => (await import('./cortex-connection.js')).check),
  },
  'okta-api': {
    in: OKTA,
    withOktaToken: true,
    load: lazy(async (): Promise<unknown> => (await import('./okta-api.js')).check),
  },
  'okta-app': {
    in: OKTA,
    withOktaToken: true,
    load: lazy(async (): Promise<unknown> => pick('okta-app')(await import('./okta-app.js'))),
  },
  'okta-grant': {
    in: OKTA,
    withOktaToken: true,
    load: lazy(async (): Promise<unknown> => pick('okta-grant')(await import('./okta-app.js'))),
  },
  'okta-redir': {
    in: OKTA,
    withOktaToken: true,
    load: lazy(async (): Promise<unknown> => pick('okta-redir')(await import('./okta-app.js'))),
  },
  'okta-secret': {
    in: OKTA,
    withOktaToken: true,
    load: lazy(async (): Promise<unknown> => pick('okta-secret')(await import('./okta-app.js'))),
  },
  'okta-sign-on': {
    in: OKTA,
    withOktaToken: true,
    load: lazy(async (): Promise<unknown> => pick('okta-sign-on')(await import('./okta-app.js'))),
  },
  'okta-assign': {
    in: OKTA,
    withOktaToken: true,
    load: lazy(async (): Promise<unknown> => (await import('./okta-assign.js')).check),
  },
  'okta-policy': {
    in: OKTA,
    withOktaToken: true,
    load: lazy(async (): Promise<unknown> => (await import('./okta-policy.js')).check),
  },
} as const satisfies Record<string, Entry>;

export type CheckId = keyof typeof CHECKS;

/** Display and JSON order. */
export const CHECK_ORDER = Object.keys(CHECKS) as readonly CheckId[];

const entries = () => Object.entries(CHECKS) as [CheckId, Entry][];

/** The ids a checklist runs, in order; with an Okta API token, set and verify add the okta-* checks. */
export function checkIds(list: Checklist, opts: { oktaToken?: boolean } = {}): CheckId[] {
  return entries()
    .filter(([, e]) => e.in.includes(list) || (e.withOktaToken && opts.oktaToken && list !== 'diagnose'))
    .map(([id]) => id);
}

/** Load the checks of a checklist. */
export function loadChecks(list: Checklist, opts: { oktaToken?: boolean } = {}): Promise<Check[]> {
  return loadById(checkIds(list, opts));
}

export function loadById(ids: readonly CheckId[]): Promise<Check[]> {
  return Promise.all(ids.map((id) => (CHECKS[id] as Entry).load() as Promise<Check>));
}

/** The text report shows this check's detail even when it passed. */
export function showsDetail(id: string): boolean {
  return Boolean((CHECKS as Record<string, Entry>)[id]?.showDetail);
}
