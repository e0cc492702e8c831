// Runs the observed command in the foreground: inherited stdio, signals passed on, and
// its exit status reported as a shell would (128 + signal number when killed).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

// SIGUSR1/SIGUSR2 mean something to many programs (reopen logs, print progress); unhandled
// they would end the launcher (SIGUSR2) or open its inspector (SIGUSR1)
export const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;

export const EXIT_NOT_FOUND = 127;
export const EXIT_NOT_EXECUTABLE = 126;

/** Signals a terminal sends to its whole foreground process group (Ctrl-C, Ctrl-\\). */
const KEYBOARD_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGINT', 'SIGQUIT']);

/**
 * Whether this process is in the foreground process group of its controlling terminal
 * (/proc/self/stat: tty_nr non-zero and tpgid equal to pgrp). Then a keyboard signal
 * has reached the child, which shares our group, directly.
 */
function inTerminalForeground(): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const [, , pgrp, , ttyNr, tpgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ttyNr !== '0' && pgrp === tpgid;
  } catch {
    return false;
  }
}

export interface ChildOutcome {
  status: number;
  /** the child's pid, when it was started */
  pid?: number;
  /** set when the command could not be started at all */
  launchError?: string;
}

export function superviseChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ChildOutcome> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    // A terminal's Ctrl-C reaches the whole foreground group, the child included: passing
    // it on as well would deliver it twice (a second Ctrl-C means "force" to many tools).
    // A `kill <launcher pid>` reaches only us: that is what forwarding is for.
    const forward = (signal: NodeJS.Signals): void => {
      if (KEYBOARD_SIGNALS.has(signal) && inTerminalForeground()) return;
      child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const stopForwarding = (): void => {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
    };

    child.once('error', (err: NodeJS.ErrnoException) => {
      stopForwarding();
      const notFound = err.code === 'ENOENT';
      resolvePromise({
        status: notFound ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE,
        launchError: notFound ? 'command not found' : err.message,
      });
    });
    child.once('exit', (code, signal) => {
      stopForwarding();
      const status = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      resolvePromise({ status, ...(child.pid === undefined ? {} : { pid: child.pid }) });
    });
  });
}
