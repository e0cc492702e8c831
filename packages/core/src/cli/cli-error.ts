// An error the user caused or can fix: printed as one line, `apitrace: <what>: <why> (<what to do>)`.
export const EXIT_USAGE = 2;

export class CliError extends Error {
  constructor(
    readonly what: string,
    readonly advice?: string,
    readonly exitStatus: number = EXIT_USAGE,
  ) {
    super(what);
  }

  get line(): string {
    return `apitrace: ${this.what}${this.advice ? ` (${this.advice})` : ''}`;
  }
}
