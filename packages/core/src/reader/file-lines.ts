// Streams the lines of an event file without holding it in memory, and says whether the last
// line ended with a newline (a line without one was cut off when its process died).
// Lines are handed over synchronously within each chunk read: a promise per line would
// cost more than parsing it. Each chunk is decoded up to its last newline, in pieces of at
// most 64 KiB that end at a newline (a newline byte never sits inside a multi-byte UTF-8
// character, so the cut is safe), and lines are sliced from those strings: one decode per
// 64 KiB instead of one per line. A line begun in an earlier chunk is decoded by itself, so a
// chunk is never copied whole.
// The file may be hostile: it is opened as untrusted-file.ts says, read no further than its
// size when opened, and a line longer than the cap is skipped as it streams by, never held.
import { closeSync, createReadStream } from 'node:fs';
import { openRegularFile } from './untrusted-file.js';

/** Return false to stop reading the file. */
export type LineHandler = (text: string, number: number, complete: boolean) => boolean | void;

export interface LineReadOptions {
  /** a longer line is skipped and handed to onOverlong instead (default MAX_LINE_BYTES) */
  maxLineBytes?: number;
  /** return false to stop reading the file */
  onOverlong?: (number: number, bytes: number) => boolean | void;
  /** sees every byte read, in order (to hash the file while reading it) */
  onChunk?: (chunk: Buffer) => void;
}

export const MAX_LINE_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;
/** Bytes decoded into one string: below V8's large-object size (128 KiB), so it dies young. */
const DECODE_BYTES = 64 * 1024;

export interface LinesRead {
  /** the file's size when it was opened: what a full read covers */
  size: number;
  /** bytes read before the end or before a handler stopped the read */
  read: number;
}

/** Reads the lines of `path`. Throws UntrustedFileError for a file it will not read. */
export async function forEachLine(path: string, onLine: LineHandler, options: LineReadOptions = {}): Promise<LinesRead> {
  const maxLine = options.maxLineBytes ?? MAX_LINE_BYTES;
  const { fd, size } = openRegularFile(path);
  if (size === 0) {
    closeSync(fd);
    return { size, read: 0 };
  }
  // a chunk never holds more than one cap of bytes, so a line inside one chunk is within the cap
  const stream = createReadStream('', { fd, start: 0, end: size - 1, highWaterMark: Math.min(maxLine, MAX_LINE_BYTES), autoClose: true });
  const { onOverlong, onChunk } = options;
  let carry: Buffer[] = [];
  let carryBytes = 0;
  /** bytes of an overlong line skipped so far, or -1 when not skipping one */
  let skipped = -1;
  let number = 0;
  let bytesRead = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      onChunk?.(chunk);
      const lastNewline = chunk.lastIndexOf(NEWLINE);
      if (lastNewline === -1) {
        if (skipped >= 0) skipped += chunk.length;
        else if (carryBytes + chunk.length > maxLine) {
          skipped = carryBytes + chunk.length;
          carry = [];
          carryBytes = 0;
        } else {
          carry.push(chunk);
          carryBytes += chunk.length;
        }
        continue;
      }
      let start = 0;
      if (skipped >= 0 || carryBytes > 0) {
        // the line begun in earlier chunks is joined on its own: copying only it, not the chunk
        const firstNewline = chunk.indexOf(NEWLINE);
        const lineBytes = (skipped >= 0 ? skipped : carryBytes) + firstNewline;
        if (skipped >= 0 || lineBytes > maxLine) {
          if (onOverlong?.(++number, lineBytes) === false) return { size, read: bytesRead };
        } else if (onLine(Buffer.concat([...carry, chunk.subarray(0, firstNewline)]).toString('utf8'), ++number, true) === false) {
          return { size, read: bytesRead };
        }
        skipped = -1;
        start = firstNewline + 1;
      }
      carry = lastNewline + 1 < chunk.length ? [chunk.subarray(lastNewline + 1)] : [];
      carryBytes = chunk.length - lastNewline - 1;
      while (start <= lastNewline) {
        // decoded in pieces of at most DECODE_BYTES that end at a newline: a bigger string would
        // be made in V8's large-object space, which only a full collection empties, and a big
        // run's chunks would pile up there (most of the peak RSS of an analysis)
        let end = lastNewline;
        if (end - start > DECODE_BYTES) {
          const cut = chunk.lastIndexOf(NEWLINE, start + DECODE_BYTES);
          end = cut >= start ? cut : chunk.indexOf(NEWLINE, start + DECODE_BYTES);
        }
        const text = chunk.toString('utf8', start, end);
        start = end + 1;
        let from = 0;
        for (;;) {
          const nl = text.indexOf('\n', from);
          const line = nl === -1 ? text.slice(from) : text.slice(from, nl);
          if (onLine(line, ++number, true) === false) return { size, read: bytesRead };
          if (nl === -1) break;
          from = nl + 1;
        }
      }
    }
    if (skipped >= 0) onOverlong?.(++number, skipped);
    else if (carryBytes > 0) onLine(Buffer.concat(carry).toString('utf8'), ++number, false);
    return { size, read: bytesRead };
  } finally {
    stream.destroy();
  }
}
