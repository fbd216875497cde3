// Shell completion and help, through the built binary: the scripts are generated from the command
// tree, so every command and flag completes; every command's --help ends with examples.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandTree } from '../../src/cli.ts';
import { walk } from '../../src/commands/completion.ts';
import { runCli, tempDir, writeTemp } from '../support/cli.ts';

const nodes = walk(commandTree());
const BASH = '/usr/bin/bash';

async function script(shell: string): Promise<string> {
  const r = await runCli(['completion', shell]);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout;
}

/** What bash offers after `line` (the cursor at its end), using the generated script. */
function bashComplete(file: string, line: string): string[] {
  const words = line.split(' ');
  const program = `
source ${JSON.stringify(file)}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})
COMP_CWORD=${words.length - 1}
COMP_LINE=${JSON.stringify(line)}
_cortex_sso
printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync(BASH, ['--norc', '-c', program], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe.skipIf(!existsSync(BASH))('bash completion', () => {
  let file = '';
  const load = async () => {
    file ||= writeTemp(tempDir(), 'cortex-sso.bash', await script('bash'));
    return file;
  };

  it('completes commands, subcommands, the shell argument and flag values', async () => {
    const f = await load();
    expect(bashComplete(f, 'cortex-sso ').sort()).toEqual([
      'auth',
      'completion',
      'connector',
      'diagnose',
      'okta',
      'sandbox',
    ]);
    expect(bashComplete(f, 'cortex-sso conn')).toEqual(['connector']);
    expect(bashComplete(f, 'cortex-sso connector ').sort()).toEqual(['delete', 'set', 'show', 'verify']);
    expect(bashComplete(f, 'cortex-sso completion ').sort()).toEqual(['bash', 'fish', 'zsh']);
    expect(bashComplete(f, 'cortex-sso diagnose --format ').sort()).toEqual([
      'github',
      'json',
      'junit',
      'text',
    ]);
    expect(bashComplete(f, 'cortex-sso diagnose --issuer https://a.okta.com --st')).toEqual(['--strict']);
    // A flag's value is not taken for a subcommand: "connector" here is the issuer, not the group.
    expect(bashComplete(f, 'cortex-sso diagnose --issuer connector --verb')).toEqual(['--verbose']);
    expect(bashComplete(f, 'cortex-sso auth login --')).toEqual(
      expect.arrayContaining(['--with-token', '--profile', '--no-input', '--json', '--help']),
    );
  });

  it('offers every visible flag of every command', async () => {
    const f = await load();
    for (const n of nodes) {
      const offered = bashComplete(f, `cortex-sso ${n.path ? `${n.path} ` : ''}-`);
      for (const o of n.options) {
        for (const flag of [o.long, o.short].filter(Boolean)) {
          expect(offered, `${n.path || '(program)'} ${flag}`).toContain(flag);
        }
      }
      expect(offered, n.path).not.toContain('--client-secret');
    }
  });
});

describe('zsh and fish completion', () => {
  it('zsh: the bash logic through bashcompinit, with a #compdef header', async (ctx) => {
    const zsh = await script('zsh');
    expect(zsh.startsWith('#compdef cortex-sso\n')).toBe(true);
    expect(zsh).toContain('bashcompinit');
    expect(zsh).toContain('complete -o default -F _cortex_sso cortex-sso');
    if (!existsSync('/usr/bin/zsh') && !existsSync('/bin/zsh'))
      ctx.skip('zsh is not installed: syntax not checked');
    execFileSync('zsh', ['-n', '-c', zsh]);
  });

  it('fish: one rule per command word and flag, conditioned on the command path', async (ctx) => {
    const fish = await script('fish');
    for (const n of nodes) {
      const cond = n.path ? `'__cortex_sso_at ${n.path}'` : `'__cortex_sso_at'`;
      for (const sub of n.subcommands) expect(fish).toContain(`-n ${cond} -a ${sub.name()} `);
      for (const o of n.options) {
        if (o.long)
          expect(fish, `${n.path} ${o.long}`).toMatch(new RegExp(`-n ${cond} -l ${o.long.slice(2)}\\b`));
      }
    }
    expect(fish).toContain("-l format -x -a 'text json junit github'");
    expect(fish).toMatch(/-l ca-file -r -F/);
    if (!existsSync('/usr/bin/fish')) ctx.skip('fish is not installed: syntax not checked');
    execFileSync('fish', ['--no-execute', '-c', fish]);
  });

  it('an unknown shell is a usage error (exit 2) listing the choices', async () => {
    const r = await runCli(['completion', 'powershell']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are bash, zsh, fish/);
    expect(r.stdout).toBe('');
  });
});

describe('--help', () => {
  it.each(nodes.map((n) => [n.path || '(program)', n.path]))(
    '%s: ends with examples of itself',
    async (_label, path) => {
      const args = path ? [...path.split(' '), '--help'] : ['--help'];
      const r = await runCli(args);
      expect(r.code).toBe(0);
      const examples = r.stdout.split('\nExamples:\n')[1];
      expect(examples, 'no "Examples:" section').toBeDefined();
      const lines = (examples ?? '').split('\n').filter((l) => l.startsWith('  cortex-sso'));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.some((l) => l.startsWith(`  cortex-sso ${path}`.trimEnd()))).toBe(true);
    },
  );
});
