// An error the user caused or can fix: printed as one line, `apitrace: <what>: <why> (<what to do>)`.
import { terminalSafe } from './terminal-line.js';

export const EXIT_USAGE = 2;

export class UserError extends Error {
  constructor(
    readonly what: string,
    readonly advice?: string,
    readonly exitStatus: number = EXIT_USAGE,
  ) {
    super(what);
  }

  /** Terminal-safe: `what` often quotes a path or a message from a file. */
  get line(): string {
    return terminalSafe(`apitrace: ${this.what}${this.advice ? ` (${this.advice})` : ''}`);
  }
}
