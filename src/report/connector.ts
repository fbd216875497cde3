import { CODES, type Code } from '../codes.js';
import type { DeleteResult } from '../commands/connector/delete.js';
import type { SetResult } from '../commands/connector/set.js';
import { DEFAULT_REDIRECT_URI } from '../commands/connector/shared.js';
import type { ShowResult } from '../commands/connector/show.js';
import type { VerifyResult } from '../commands/connector/verify.js';
import { painter, renderDiagnose, renderTarget, type TextOptions } from './text.js';

const show = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '(none)' : v);

/** What is about to change and what the pre-flight found: shown before the push question too. */
export function renderSetReview(r: SetResult, opts: TextOptions): string {
  const c = painter(opts.color);
  const out: string[] = [];
  if (r.changes.length === 0) out.push('Changes: none (the live connector already has these values).');
  else {
    out.push(
      r.remoteBefore
        ? 'Changes against the live connector:'
        : 'Changes: no connector exists yet; this creates it:',
    );
    for (const ch of r.changes)
      out.push(`  ${ch.field.padEnd(13)} ${c.red(show(ch.from))} → ${c.green(ch.to)}`);
    if (r.remoteBefore && !r.changes.some((ch) => ch.field === 'clientSecret')) {
      out.push(c.dim('  clientSecret  unchanged as far as its last four characters show'));
    }
  }
  out.push('', c.bold('Pre-flight (the same checks as `connector verify`, on the new values):'));
  for (const t of r.preflight.results) out.push(renderTarget(t, opts));
  return `${out.join('\n')}\n`;
}

/** The whole story of a `connector set`; `reviewed` leaves out what the review already showed. */
export function renderSet(r: SetResult, opts: TextOptions & { reviewed?: boolean }): string {
  const c = painter(opts.color);
  const out: string[] = [];
  const v = r.values;
  out.push(c.bold(`Connector for profile "${r.profile}" → ${r.apiUrl}`));
  out.push(`  type          ${v.type}  ${c.dim(`(${v.sources.type})`)}`);
  out.push(`  client ID     ${v.clientId}  ${c.dim(`(${v.sources.clientId})`)}`);
  out.push(`  client secret ****${v.clientSecretLastFour}  ${c.dim(`(${v.sources.clientSecret})`)}`);
  out.push(`  issuer        ${v.issuer}  ${c.dim(`(${v.sources.issuer})`)}`);
  out.push(`  redirect URI  ${v.redirectUri}  ${c.dim('(must be a Sign-in redirect URI of the Okta app)')}`);
  for (const n of r.notes) out.push(c.yellow(`  note: ${n}`));
  if (!opts.reviewed) out.push('', renderSetReview(r, opts).trimEnd());
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
    out.push(c.green(`Pushed: connector version ${r.remoteAfter?.version ?? '?'} is live.`));
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
  const rem = r.remote;
  const secretLocal = !l?.secret
    ? '(none)'
    : 'lastFour' in l.secret
      ? `****${l.secret.lastFour}`
      : `unreadable [${l.secret.code}]`;
  const rows: Array<[string, string, string]> = [
    ['type', show(l?.type), r.remoteError ? '?' : show(rem?.type)],
    ['client ID', show(l?.clientId), r.remoteError ? '?' : show(rem?.clientId)],
    ['client secret', secretLocal, r.remoteError ? '?' : rem ? `****${rem.clientSecretLastFour}` : '(none)'],
    ['issuer', show(l?.issuer), r.remoteError ? '?' : show(rem?.issuer)],
    ['redirect URI', l?.redirectUri ?? `${DEFAULT_REDIRECT_URI} (default)`, '-'],
    ['updated', show(l?.updatedAt), r.remoteError ? '?' : show(rem?.updatedAt)],
  ];
  const w1 = Math.max(...rows.map((x) => x[1].length), 'local'.length);
  const out = [
    c.bold(`Profile "${r.profile}"`) + c.dim(`  (settings: ${r.configPath}; API: ${r.apiUrl || '?'})`),
    `  ${''.padEnd(14)}${c.bold('local'.padEnd(w1))}  ${c.bold('live in Cortex')}`,
    ...rows.map(([k, a, b]) => `  ${k.padEnd(14)}${a.padEnd(w1)}  ${b}`),
  ];
  if (l?.secret && 'lastFour' in l.secret) out.push(c.dim(`  (secret kept in ${l.secret.where})`));
  if (l?.secret && 'error' in l.secret) {
    out.push('', c.yellow(`Local secret unreadable [${l.secret.code}]: ${l.secret.error}`));
  }
  if (r.remoteError)
    out.push('', c.yellow(`Live connector unavailable [${r.remoteError.code}]: ${r.remoteError.message}`));
  const problemCodes = new Set(
    [l?.secret && 'code' in l.secret ? l.secret.code : undefined, r.remoteError?.code].filter(
      (x): x is Code => x !== undefined && x in CODES,
    ),
  );
  for (const code of problemCodes) out.push(`${c.cyan('Fix:')} ${CODES[code].advice}`);
  if (!r.remoteError && !rem) out.push('', 'No connector is configured in Cortex.');
  if (r.drift.length > 0) {
    out.push(
      '',
      c.yellow(
        `! ${CODES.CONNECTOR_DRIFT.title} [CONNECTOR_DRIFT]: ${r.drift.map((d) => d.field).join(', ')}`,
      ),
    );
    out.push(`  Fix: ${CODES.CONNECTOR_DRIFT.advice}`);
  } else if (rem && l) out.push('', c.green('Local settings match the live connector.'));
  return `${out.join('\n')}\n`;
}

export function renderVerify(r: VerifyResult, opts: TextOptions): string {
  const c = painter(opts.color);
  return `${c.bold(`Verifying profile "${r.profile}" (client ${r.clientId}, redirect URI ${r.redirectUri})`)}\n\n${renderDiagnose(r, opts)}`;
}

export function renderDelete(r: DeleteResult, opts: TextOptions): string {
  const c = painter(opts.color);
  const out = [
    r.remoteDeleted
      ? c.green(`Deleted the OpenID connector at ${r.apiUrl}.`)
      : `No connector was configured at ${r.apiUrl}; nothing to delete there.`,
    r.secretDeleted
      ? 'Removed the client secret from the keychain.'
      : r.secretError
        ? c.yellow(`Could not remove the local secret [${r.secretError.code}]: ${r.secretError.message}`)
        : 'No client secret was stored locally.',
  ];
  if (r.configUpdated) out.push(`Cleared the connector settings of profile "${r.profile}".`);
  return `${out.join('\n')}\n`;
}
