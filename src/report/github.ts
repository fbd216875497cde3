import type { DiagnoseResult } from '../result.js';

// GitHub Actions workflow commands: https://docs.github.com/actions/reference/workflow-commands-for-github-actions
const data = (s: string) => s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
const prop = (s: string) => data(s).replaceAll(':', '%3A').replaceAll(',', '%2C');

/** One ::error / ::warning annotation per failed or warning check. */
export function renderGithubAnnotations(result: DiagnoseResult): string {
  const lines: string[] = [];
  for (const t of result.results) {
    for (const c of t.checks) {
      if (c.status !== 'fail' && c.status !== 'warn') continue;
      const findings = c.findings ?? [];
      if (findings.length > 1) {
        // One annotation per finding, so a warning next to a failure is not lost.
        for (const f of findings) {
          const level = f.status === 'fail' ? 'error' : 'warning';
          const title = prop(`cortex-sso ${c.id} [${f.code}]: ${c.title}`);
          lines.push(
            `::${level} title=${title}::${data([t.issuer, f.message, `Fix: ${f.advice}`].join('\n'))}`,
          );
        }
        continue;
      }
      const level = c.status === 'fail' ? 'error' : 'warning';
      const title = prop(`cortex-sso ${c.id}${c.code ? ` [${c.code}]` : ''}: ${c.title}`);
      const body = [`${t.issuer}`, c.detail, c.advice ? `Fix: ${c.advice}` : undefined]
        .filter(Boolean)
        .join('\n');
      lines.push(`::${level} title=${title}::${data(body)}`);
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', '<br>');
const ICON = { pass: '✅', warn: '⚠️', fail: '❌', skip: '⏭️' } as const;

/** A Markdown job summary (for $GITHUB_STEP_SUMMARY): one table per issuer. */
export function renderGithubSummary(result: DiagnoseResult): string {
  const out = [`### cortex-sso: ${result.ok ? 'all issuers OK' : 'sign-in checks failed'}`, ''];
  for (const t of result.results) {
    out.push(
      `**${cell(t.issuer)}**`,
      '',
      '| | check | result | code | fix |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const c of t.checks) {
      out.push(
        `| ${ICON[c.status]} | ${c.id} | ${cell(c.title)} | ${
          (c.findings ?? []).length > 1 ? (c.findings ?? []).map((f) => f.code).join(', ') : (c.code ?? '')
        } | ${cell(
          c.status === 'pass' || c.status === 'skip'
            ? ''
            : (c.findings ?? []).length > 1
              ? (c.findings ?? []).map((f) => `${f.code}: ${f.advice}`).join('\n')
              : (c.advice ?? ''),
        )} |`,
      );
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
