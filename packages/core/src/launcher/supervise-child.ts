// Runs the observed command in the foreground: inherited stdio, signals passed on, and
// its exit status reported as a shell would (128 + signal number when killed).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

export const EXIT_NOT_FOUND = 127;
export const EXIT_NOT_EXECUTABLE = 126;

export interface ChildOutcome {
  status: number;
  /** set when the command could not be started at all */
  launchError?: string;
}

export function superviseChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ChildOutcome> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    // A terminal's Ctrl-C reaches the whole foreground group, the child included; a
    // `kill <launcher pid>` reaches only us. Forwarding covers the second case.
    const forward = (signal: NodeJS.Signals): void => {
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
      resolvePromise({ status });
    });
  });
}
