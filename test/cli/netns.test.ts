// Network failures that loopback alone cannot produce, made real in an isolated network namespace
// (`unshare -n`: no interfaces up, no routes). Nothing can leave it, so nothing reaches the internet.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const canIsolate = process.platform === 'linux' && spawnSync('unshare', ['-n', 'true']).status === 0;
const isolated = { wrap: ['unshare', '-n'] };

function check(stdout: string, id: string) {
  return JSON.parse(stdout).results[0].checks.find((c: { id: string }) => c.id === id);
}

describe.skipIf(!canIsolate)('in a network namespace without a network', () => {
  it('an address with no route is TCP_UNREACHABLE, not a timeout or a refusal', async () => {
    const r = await runCli(
      ['diagnose', '--issuer', 'https://127.0.0.1:8443', '--json', '--timeout', '3'],
      isolated,
    );
    expect(r.code).toBe(1);
    expect(check(r.stdout, 'tcp')).toMatchObject({ status: 'fail', code: 'TCP_UNREACHABLE' });
    expect(check(r.stdout, 'tcp').detail).toMatch(/ENETUNREACH|EHOSTUNREACH/);
  });

  it('an unreachable OS resolver is DNS_FAILURE, not "name does not exist"', async () => {
    const r = await runCli(
      ['diagnose', '--issuer', 'https://issuer.cortex-sso-test.example', '--json', '--timeout', '3'],
      isolated,
    );
    expect(r.code).toBe(1);
    expect(check(r.stdout, 'dns')).toMatchObject({ status: 'fail', code: 'DNS_FAILURE' });
    expect(check(r.stdout, 'tcp')).toMatchObject({ status: 'skip' });
  });
});
