// Network failures that loopback alone cannot produce, made real in an isolated network namespace
// (`unshare -rn`: no interfaces up, no routes; -r maps the user to root inside a new user namespace,
// so it works for non-root users too). Nothing can leave it, so nothing reaches the internet.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertBuilt, ROOT, runCli, tempDir } from '../support/cli.ts';

const canIsolate = process.platform === 'linux' && spawnSync('unshare', ['-rn', 'true']).status === 0;
const isolated = { wrap: ['unshare', '-rn'] };

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

  const hasIp = spawnSync('ip', ['-V']).status === 0;

  it.skipIf(!hasIp)('an address family with no route at all (no IPv6 here) is a note, not a warning', () => {
    assertBuilt();
    // Inside the namespace only loopback is up: 127.0.0.1 connects, and the IPv6 documentation
    // address 2001:db8::1 has no route, so connecting to it fails at once and sends nothing.
    const script = join(tempDir(), 'tcp-family.mjs');
    writeFileSync(
      script,
      `import net from 'node:net';
const { check } = await import(${JSON.stringify(join(ROOT, 'dist/checks/tcp.js'))});
const server = net.createServer((s) => s.destroy());
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const issuer = { issuer: 'https://issuer.example:' + port, host: 'issuer.example', port, url: new URL('https://issuer.example:' + port) };
const target = { input: issuer.issuer, issuer, facts: { proxy: null, addresses: [{ address: '127.0.0.1', family: 4 }, { address: '2001:db8::1', family: 6 }] } };
const ctx = { options: { timeoutMs: 3000 }, net: { env: {} }, now: () => new Date() };
console.log(JSON.stringify(await check.run(target, ctx)));
server.close();`,
    );
    const r = spawnSync(
      'unshare',
      ['-rn', 'sh', '-c', `ip link set lo up && "${process.execPath}" "${script}"`],
      {
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(r.stderr).toBe('');
    const outcome = JSON.parse(r.stdout);
    expect(outcome.status).toBe('pass');
    expect(outcome.title).toMatch(/IPv6 has no route from this machine/);
    expect(outcome.data.attempts.find((a: { family: number }) => a.family === 6)).toMatchObject({
      ok: false,
      code: 'TCP_UNREACHABLE',
    });
  });
});
