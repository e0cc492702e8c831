// The one writer of the Node plugin: file naming, exclusive creation, buffering and the
// record format (docs/events.md). Hooks hand it plain objects; they never format JSON.
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const MAX_SEQ = 1000;
const FLUSH_AT_BYTES = 64 * 1024;

export type EventRecord = { kind: string } & Record<string, unknown>;

export class EventWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  private written = 0;
  private droppedCount = 0;

  private constructor(
    private fd: number | undefined,
    readonly file: string,
    readonly seq: number,
  ) {}

  /**
   * Creates `<pid>-node-<seq>.jsonl` with the lowest free seq. O_EXCL|O_NOFOLLOW so an existing
   * file or a planted symlink is never written through; libuv adds O_CLOEXEC itself.
   */
  static create(dir: string, pid: number): EventWriter {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    for (let seq = 0; seq < MAX_SEQ; seq++) {
      const file = join(dir, `${pid}-node-${seq}.jsonl`);
      try {
        return new EventWriter(openSync(file, flags, 0o600), file, seq);
      } catch (err) {
        // EEXIST: taken by an earlier image of this pid; ELOOP: a symlink sits there.
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'ELOOP') throw err;
      }
    }
    throw new Error(`no free event file name after ${MAX_SEQ} tries`);
  }

  get records(): number {
    return this.written + this.pending.length;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  write(record: EventRecord): void {
    if (this.fd === undefined) {
      this.droppedCount++;
      return;
    }
    const line = JSON.stringify(record) + '\n';
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= FLUSH_AT_BYTES) this.flush();
  }

  /** Writes buffered lines; a failed write drops them (counted) instead of throwing into the app. */
  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      writeSync(this.fd, lines.join(''));
      this.written += lines.length;
    } catch {
      this.droppedCount += lines.length;
    }
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed by the application: nothing of ours is lost
      }
      this.fd = undefined;
    }
  }
}
