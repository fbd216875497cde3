// The text report a person reads: one column for check ids, whatever their length.
import { describe, expect, it } from 'vitest';
import { renderDiagnose } from '../../src/report/text.ts';
import type { CheckResult, DiagnoseResult } from '../../src/result.ts';

const check = (id: string, title: string): CheckResult => ({
  id,
  status: 'pass',
  title,
  durationMs: 1,
  findings: [],
});

describe('text report', () => {
  it('titles line up after a check id longer than the usual column (cortex-connection)', () => {
    const result: DiagnoseResult = {
      schemaVersion: 1,
      ok: true,
      results: [
        {
          issuer: 'https://acme.okta.com',
          input: 'https://acme.okta.com',
          ok: true,
          checks: [
            check('dns', 'The host name resolves'),
            check('cortex-connection', 'Cortex holds this connection'),
          ],
        },
      ],
    };
    const lines = renderDiagnose(result, { color: 0 }).split('\n');
    const col = (title: string) => lines.find((l) => l.includes(title))?.indexOf(title);
    expect(col('The host name resolves')).toBeGreaterThan(0);
    expect(col('The host name resolves')).toBe(col('Cortex holds this connection'));
  });

  it('keeps the usual 12-character column when every id fits', () => {
    const result: DiagnoseResult = {
      schemaVersion: 1,
      ok: true,
      results: [
        {
          issuer: 'https://acme.okta.com',
          input: 'https://acme.okta.com',
          ok: true,
          checks: [check('dns', 'The host name resolves')],
        },
      ],
    };
    expect(renderDiagnose(result, { color: 0 })).toContain('  ✔ dns          The host name resolves');
  });
});
