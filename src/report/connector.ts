import { CODES, type Code } from '../codes.js';
import { CORTEX_CALLBACK_URI } from '../cortex/types.js';
import type { DeleteResult, SetResult, ShowResult, VerifyResult } from '../result.js';
import { painter, renderDiagnose, renderTarget, type TextOptions } from './text.js';

const show = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '(none)' : v);

/** The values about to be pushed, each with where it came from. */
function renderValues(r: SetResult, c: ReturnType<typeof painter>): string[] {
  const v = r.values;
  return [
    c.bold(`Connector for profile "${r.profile}" → ${r.apiUrl}`),
    `  type          ${v.type}  ${c.dim(`(${v.sources.type})`)}`,
    `  client ID     ${v.clientId}  ${c.dim(`(${v.sources.clientId})`)}`,
    `  client secret ****${v.clientSecretLastFour}  ${c.dim(`(${v.sources.clientSecret})`)}`,
    `  issuer        ${v.issuer}  ${c.dim(`(${v.sources.issuer})`)}`,
    `  redirect URI  ${v.redirectUri}  ${c.dim('(must be a Sign-in redirect URI of the Okta app)')}`,
  ];
}

/**
 * What a person reads before the push question (on stderr): the values and their sources, what is
 * about to change, the notes, and every pre-flight finding.
 */
export function renderSetReview(r: SetResult, opts: TextOptions): string {
  const c = painter(opts.color);
  const out: string[] = [...renderValues(r, c), ''];
  out.push(
    r.replaces
      ? `Changes against Cortex's connection ${r.replaces.connectionId ?? '(no id)'} (a new connection replaces it; the old one is deleted only once the new one is confirmed):`
      : 'Changes: Cortex holds no connection for this profile; this creates one:',
  );
  for (const ch of r.changes)
    out.push(`  ${ch.field.padEnd(13)} ${c.red(show(ch.from))} → ${c.green(ch.to)}`);
  for (const n of r.notes) out.push(c.yellow(`  note: ${n}`));
  out.push('', c.bold('Pre-flight (the same checks as `connector verify`, on the new values):'));
  for (const t of r.preflight.results) out.push(renderTarget(t, opts));
  return `${out.join('\n')}\n`;
}

/** The whole story of a `connector set`; `reviewed` leaves out what the review already showed. */
export function renderSet(r: SetResult, opts: TextOptions & { reviewed?: boolean }): string {
  const c = painter(opts.color);
  const out: string[] = [];
  out.push(...renderValues(r, c));
  if (!opts.reviewed) {
    const review = renderSetReview(r, opts).trimEnd().split('\n');
    // The review repeats the values (it stands alone before the push question): not twice here.
    out.push('', ...review.slice(renderValues(r, c).length + 1));
  }
  out.push('');
  if (r.dryRun) {
    out.push(
      r.preflight.ok
        ? c.green('Dry run: pre-flight passed; nothing was changed.')
        : c.red('Dry run: pre-flight FAILED; pushing would be refused. Nothing was changed.'),
    );
  } else if (r.code === 'PREFLIGHT_FAILED') {
    out.push(c.red(`Not pushed: ${CODES.PREFLIGHT_FAILED.title}.`));
    out.push('Saving these values would lock every user out: sign-in goes only through Okta.');
    out.push(`Fix the failures above and run again. ${c.dim('(--force pushes anyway; not recommended)')}`);
  } else if (r.pushed) {
    if (r.forced)
      out.push(
        c.yellow(
          'Pushed with --force although the pre-flight failed: test sign-in NOW in a private window, keeping this session open.',
        ),
      );
    out.push(
      c.green(
        `Pushed: Cortex lists the new connection ${r.pushedConnection?.connectionId ?? '(no id)'} with these values.`,
      ),
    );
    if (r.removed) {
      out.push(
        r.removed.by === 'cortex-sso'
          ? `Deleted the connection it replaces: ${r.removed.connection.connectionId}.`
          : `The connection it replaces (${r.removed.connection.connectionId}) is gone: Cortex replaced it.`,
      );
    }
    // The review went to stderr before the question; this report is the record: every note, once.
    if (opts.reviewed) for (const n of r.notes) out.push(c.yellow(`note: ${n}`));
    if (r.stored) {
      out.push(
        `Secret: ${r.stored.secret === 'keychain' ? 'stored in the OS keychain' : 'not stored locally'}; settings: ${r.stored.config}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

export function renderShow(r: ShowResult, opts: TextOptions): string {
  const c = painter(opts.color);
  const l = r.local;
  const mine = r.remote?.connection ?? null;
  const unknown = r.remoteError ? '?' : undefined;
  const secretLocal = !l?.secret
    ? '(none)'
    : 'lastFour' in l.secret
      ? `****${l.secret.lastFour}`
      : `unreadable [${l.secret.code}]`;
  const rows: Array<[string, string, string]> = [
    ['type', show(l?.type?.toUpperCase()), unknown ?? show(mine?.connectionType)],
    ['client ID', show(l?.clientId), unknown ?? show(mine?.clientId)],
    ['issuer', show(l?.issuer), unknown ?? show(mine?.issuer)],
    ['connection', show(l?.connectionId), unknown ?? show(mine?.connectionId)],
    ['client secret', secretLocal, unknown ?? (mine ? '(not readable)' : '(none)')],
    ['redirect URI', l?.redirectUri ?? `${CORTEX_CALLBACK_URI} (default)`, '-'],
  ];
  const w1 = Math.max(...rows.map((x) => x[1].length), 'profile'.length);
  const out = [
    c.bold(`Profile "${r.profile}"`) +
      c.dim(
        `  (settings: ${r.configPath}; API: ${r.apiUrl || '?'}${r.apiKeySource ? `; key from ${r.apiKeySource}` : ''})`,
      ),
    `  ${''.padEnd(14)}${c.bold('profile'.padEnd(w1))}  ${c.bold('in Cortex')}`,
    ...rows.map(([k, a, b]) => `  ${k.padEnd(14)}${a.padEnd(w1)}  ${b}`),
  ];
  if (l?.secret && 'lastFour' in l.secret) out.push(c.dim(`  (secret kept in ${l.secret.where})`));
  if (l?.secret && 'error' in l.secret) {
    out.push('', c.yellow(`Local secret unreadable [${l.secret.code}]: ${l.secret.error}`));
  }
  const others = r.remote?.oidc.filter((x) => x !== mine) ?? [];
  if (others.length > 0) {
    out.push('', `Other OIDC connections in Cortex:`);
    for (const o of others)
      out.push(`  ${show(o.connectionId)}  ${o.connectionType}  client ${o.clientId}  issuer ${o.issuer}`);
  }
  if (r.remote && r.remote.otherCount > 0)
    out.push(c.dim(`(${r.remote.otherCount} SSO configuration(s) of other kinds, not shown)`));
  if (r.remoteError)
    out.push('', c.yellow(`Cortex could not be read [${r.remoteError.code}]: ${r.remoteError.message}`));
  const problemCodes = new Set(
    [l?.secret && 'code' in l.secret ? l.secret.code : undefined, r.remoteError?.code].filter(
      (x): x is Code => x !== undefined && x in CODES,
    ),
  );
  for (const code of problemCodes) out.push(`${c.cyan('Fix:')} ${CODES[code].advice}`);
  if (r.remote && r.remote.oidc.length === 0) out.push('', 'Cortex holds no OIDC connection.');
  if (r.drift.length > 0) {
    out.push('', c.yellow(`! ${CODES.CONNECTOR_DRIFT.title} [CONNECTOR_DRIFT]:`));
    for (const d of r.drift) {
      if (d.field === 'connection') out.push(`  - the profile's connection (${d.local}) is not in Cortex`);
      else if (d.field === 'connections') out.push(`  - Cortex holds ${d.remote} OIDC connections`);
      else out.push(`  - ${d.field}: profile ${show(d.local)}, Cortex ${show(d.remote)}`);
    }
    out.push(`  Fix: ${CODES.CONNECTOR_DRIFT.advice}`);
  } else if (mine && l) out.push('', c.green("The profile matches Cortex's connection."));
  return `${out.join('\n')}\n`;
}

export function renderVerify(r: VerifyResult, opts: TextOptions): string {
  const c = painter(opts.color);
  return `${c.bold(`Verifying profile "${r.profile}" (client ${r.clientId}, redirect URI ${r.redirectUri})`)}\n\n${renderDiagnose(r, opts)}`;
}

export function renderDelete(r: DeleteResult, opts: TextOptions): string {
  const c = painter(opts.color);
  const what = `connection ${r.connection.connectionId} (${r.connection.connectionType}, client ${r.connection.clientId})`;
  const out = [
    r.remoteDeleted
      ? c.green(`Deleted the ${what} at ${r.apiUrl}.`)
      : `The ${what} was already gone at ${r.apiUrl}.`,
    r.secretDeleted
      ? 'Removed the client secret from the keychain.'
      : r.secretError
        ? c.yellow(`Could not remove the local secret [${r.secretError.code}]: ${r.secretError.message}`)
        : 'No client secret of this profile was removed locally.',
  ];
  if (r.configUpdated) out.push(`Cleared the connector settings of profile "${r.profile}".`);
  return `${out.join('\n')}\n`;
}
