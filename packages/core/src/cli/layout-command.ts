// `apitrace layout <dir>`: write the container layout.
import type { Command } from 'commander';
import { writeContainerLayout } from '../deploy/container-layout.js';
import { locatePlugins } from '../own/plugin-artifacts.js';
import { terminalLines } from '../base/terminal-line.js';

export function registerLayoutCommand(program: Command, version: string, setStatus: (status: number) => void): void {
  program
    .command('layout')
    .description('write the container layout: the three plugins and a launcher in one directory, for any glibc-based image')
    .argument('<dir>', 'the directory to write (new, empty, or an older layout to replace)')
    .action((dir: string) => {
      const layout = writeContainerLayout(dir, locatePlugins(), version);
      process.stdout.write(terminalLines([layout.dir]));
      setStatus(0);
    });
}
