// Shell completion (bash, zsh, fish) and the README's command reference, both generated from the
// commander tree itself, so neither can drift from the real commands and flags.
import type { Command, Option } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface Node {
  /** Words after the program name, e.g. "connector set"; "" for the program itself. */
  path: string;
  command: Command;
  subcommands: Command[];
  options: Option[];
  /** The values an argument accepts (e.g. `completion <shell>`), offered like subcommands. */
  argumentChoices: string[];
}

function visible(cmd: Command): Command[] {
  return cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
}

/** Every command of the tree, depth first, with its visible subcommands and options. */
export function walk(program: Command): Node[] {
  const out: Node[] = [];
  const visit = (cmd: Command, path: string) => {
    out.push({
      path,
      command: cmd,
      subcommands: visible(cmd),
      options: cmd.options.filter((o) => !o.hidden),
      argumentChoices: cmd.registeredArguments.flatMap((a) => a.argChoices ?? []),
    });
    for (const sub of visible(cmd)) visit(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  visit(program, '');
  return out;
}

function takesValue(o: Option): boolean {
  return o.required || o.optional;
}

function flagsOf(o: Option): string[] {
  return [o.long, o.short].filter((f): f is string => Boolean(f));
}

/** Values worth offering for an option: its choices, or files for a path-like argument. */
function valueKind(o: Option): { choices: string[] } | 'file' | 'none' {
  if (o.argChoices?.length) return { choices: o.argChoices };
  if (/<(pem|file|path)>/.test(o.flags)) return 'file';
  return 'none';
}

function shellWords(words: string[]): string {
  return words.join(' ');
}

function singleQuoted(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

function bash(program: Command, name: string): string {
  const nodes = walk(program);
  const fn = `_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
  const allOptions = nodes.flatMap((n) => n.options);
  const valueFlags = [...new Set(allOptions.filter(takesValue).flatMap(flagsOf))];
  const valueCases: string[] = [];
  const seen = new Set<string>();
  for (const o of allOptions) {
    const kind = valueKind(o);
    const flags = flagsOf(o).filter((f) => !seen.has(f));
    if (kind === 'none' || flags.length === 0 || !takesValue(o)) continue;
    for (const f of flags) seen.add(f);
    const reply =
      kind === 'file'
        ? 'COMPREPLY=($(compgen -f -- "$cur"))'
        : `COMPREPLY=($(compgen -W ${singleQuoted(shellWords(kind.choices))} -- "$cur"))`;
    valueCases.push(`    ${flags.join('|')}) ${reply}; return 0 ;;`);
  }
  const pathCases = nodes.map((n) => {
    const opts = [...n.options.flatMap(flagsOf), '--help'];
    const subs = [...n.subcommands.map((c) => c.name()), ...n.argumentChoices];
    return `    ${singleQuoted(n.path)}) subs=${singleQuoted(shellWords(subs))}; opts=${singleQuoted(shellWords(opts))} ;;`;
  });
  return `# ${name} completion for bash, generated from its command tree by \`${name} completion bash\`.
# Install: ${name} completion bash > ~/.local/share/bash-completion/completions/${name}
# (or add \`eval "$(${name} completion bash)"\` to ~/.bashrc)
${fn}() {
  local cur prev path="" word subs opts i skip=0
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
${valueCases.join('\n')}
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case " ${valueFlags.join(' ')} " in *" $word "*) skip=1; continue ;; esac
    case "$word" in -*) continue ;; esac
    ${fn}_node "$path"
    case " $subs " in *" $word "*) path="\${path:+$path }$word" ;; esac
  done
  ${fn}_node "$path"
  if [[ "$cur" == -* || -z "$subs" ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  fi
  return 0
}
${fn}_node() {
  case "$1" in
${pathCases.join('\n')}
    *) subs=''; opts='--help' ;;
  esac
}
complete -o default -F ${fn} ${name}
`;
}

function zsh(program: Command, name: string): string {
  // zsh runs the bash function through bashcompinit: one completion logic for both shells.
  return `#compdef ${name}
# ${name} completion for zsh, generated from its command tree by \`${name} completion zsh\`.
# Install: ${name} completion zsh > "\${fpath[1]}/_${name}"   (then start a new shell)
# (or add \`eval "$(${name} completion zsh)"\` to ~/.zshrc, after compinit)
autoload -U +X bashcompinit && bashcompinit
${bash(program, name)
  .split('\n')
  .filter((l) => !l.startsWith('# '))
  .join('\n')}`;
}

function fish(program: Command, name: string): string {
  const nodes = walk(program);
  const fn = `__${name.replace(/[^A-Za-z0-9]/g, '_')}_at`;
  const valueFlags = [
    ...new Set(
      nodes
        .flatMap((n) => n.options)
        .filter(takesValue)
        .flatMap(flagsOf),
    ),
  ];
  const lines = [
    `# ${name} completion for fish, generated from its command tree by \`${name} completion fish\`.`,
    `# Install: ${name} completion fish > ~/.config/fish/completions/${name}.fish`,
    `# ${fn} connector set: true when the words typed so far (flags and their values left out) are "connector set".`,
    `function ${fn}`,
    '    set -l words (commandline -opc)',
    '    set -e words[1]',
    '    set -l path',
    '    set -l skip 0',
    '    for w in $words',
    '        if test $skip = 1',
    '            set skip 0',
    '            continue',
    '        end',
    `        if contains -- $w ${valueFlags.join(' ')}`,
    '            set skip 1',
    '            continue',
    '        end',
    "        if string match -q -- '-*' $w",
    '            continue',
    '        end',
    '        set path $path $w',
    '    end',
    '    # "$path" joins the words with spaces: the condition compares it with its own arguments.',
    '    test "$path" = "$argv"',
    'end',
    `complete -c ${name} -f`,
  ];
  const desc = (s: string) => {
    const line = s.split('\n')[0] ?? '';
    return singleQuoted(line.length <= 100 ? line : `${line.slice(0, line.lastIndexOf(' ', 99))}…`);
  };
  for (const n of nodes) {
    const cond = singleQuoted(n.path ? `${fn} ${n.path}` : fn);
    for (const sub of n.subcommands) {
      lines.push(`complete -c ${name} -n ${cond} -a ${sub.name()} -d ${desc(sub.description())}`);
    }
    if (n.argumentChoices.length > 0) {
      lines.push(`complete -c ${name} -n ${cond} -a ${singleQuoted(shellWords(n.argumentChoices))}`);
    }
    for (const o of [...n.options]) {
      const parts = [`complete -c ${name} -n ${cond}`];
      if (o.long) parts.push(`-l ${o.long.replace(/^--/, '')}`);
      if (o.short) parts.push(`-s ${o.short.replace(/^-/, '')}`);
      const kind = valueKind(o);
      if (takesValue(o)) {
        if (kind === 'file') parts.push('-r -F');
        else if (kind !== 'none') parts.push(`-x -a ${singleQuoted(shellWords(kind.choices))}`);
        else parts.push('-x');
      }
      parts.push(`-d ${desc(o.description)}`);
      lines.push(parts.join(' '));
    }
    lines.push(`complete -c ${name} -n ${cond} -s h -l help -d 'display help for command'`);
  }
  return `${lines.join('\n')}\n`;
}

/** The completion script for one shell. */
export function completionScript(program: Command, shell: Shell): string {
  const name = program.name();
  if (shell === 'bash') return bash(program, name);
  if (shell === 'zsh') return zsh(program, name);
  return fish(program, name);
}

/**
 * The README's command reference: each command's own --help text (usage, description, options),
 * at a fixed width so the text is the same on every machine.
 */
export function commandReference(program: Command): string {
  const parts: string[] = [];
  for (const n of walk(program)) {
    if (n.path === '' || n.subcommands.length > 0) continue;
    n.command.configureHelp({ helpWidth: 100 });
    n.command.configureOutput({ getOutHasColors: () => false, getOutHelpWidth: () => 100 });
    const help = n.command.helpInformation().trimEnd();
    parts.push(`#### \`${program.name()} ${n.path}\`\n\n\`\`\`text\n${help}\n\`\`\``);
  }
  return `${parts.join('\n\n')}\n`;
}

export const REFERENCE_START =
  '<!-- commands:start (generated by `npm run docs:commands`; edit src/cli.ts) -->';
export const REFERENCE_END = '<!-- commands:end -->';

/** README text with the part between the markers replaced by the reference. */
export function withReference(readme: string, reference: string): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`README.md lacks the markers ${REFERENCE_START} ... ${REFERENCE_END}`);
  }
  return `${readme.slice(0, start + REFERENCE_START.length)}\n\n${reference}\n${readme.slice(end)}`;
}
