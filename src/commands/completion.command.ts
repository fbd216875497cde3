// `cortex-sso completion <shell>`: its declaration; the script is built by ./completion.ts.
import { Argument, type Command } from 'commander';
import type { Factory } from '../factory.js';
import { examples } from './options.js';

export function define(parent: Command, f: Factory): Command {
  return parent
    .command('completion')
    .description('Print the shell completion script for bash, zsh or fish.')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      examples([
        'cortex-sso completion bash > ~/.local/share/bash-completion/completions/cortex-sso',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a zsh expression, printed as is
        'cortex-sso completion zsh > "${fpath[1]}/_cortex-sso"',
        'cortex-sso completion fish > ~/.config/fish/completions/cortex-sso.fish',
        'eval "$(cortex-sso completion bash)"      # this shell only',
      ]),
    )
    .action(async (shell: string) => {
      const { completionScript } = await import('./completion.js');
      f.io.stdout.write(completionScript(parent, shell as import('./completion.js').Shell));
    });
}
