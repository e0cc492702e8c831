// Streams the lines of a file without holding it in memory, and says whether the last
// line ended with a newline (a line without one was cut off when its process died).
// Lines are handed over synchronously within each chunk read: a promise per line would
// cost more than parsing it. Each chunk is decoded once, up to its last newline (a newline
// byte never sits inside a multi-byte UTF-8 character, so the cut is safe), and lines are
// sliced from that string: one decode per MiB instead of one per line. A line begun in an
// earlier chunk is decoded by itself, so a chunk is never copied whole.
import { createReadStream } from 'node:fs';

/** Return false to stop reading the file. */
export type LineHandler = (text: string, number: number, complete: boolean) => boolean | void;

const NEWLINE = 0x0a;
const CHUNK_BYTES = 1024 * 1024;

export async function forEachLine(path: string, onLine: LineHandler): Promise<void> {
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  let carry: Buffer[] = [];
  let number = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const lastNewline = chunk.lastIndexOf(NEWLINE);
      if (lastNewline === -1) {
        carry.push(chunk);
        continue;
      }
      let start = 0;
      if (carry.length > 0) {
        // the line begun in earlier chunks is joined on its own: copying only it, not the chunk
        const firstNewline = chunk.indexOf(NEWLINE);
        if (onLine(Buffer.concat([...carry, chunk.subarray(0, firstNewline)]).toString('utf8'), ++number, true) === false) return;
        start = firstNewline + 1;
      }
      carry = lastNewline + 1 < chunk.length ? [chunk.subarray(lastNewline + 1)] : [];
      if (start > lastNewline) continue;
      const text = chunk.toString('utf8', start, lastNewline);
      start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        const line = nl === -1 ? text.slice(start) : text.slice(start, nl);
        if (onLine(line, ++number, true) === false) return;
        if (nl === -1) break;
        start = nl + 1;
      }
    }
    if (carry.length > 0) onLine(Buffer.concat(carry).toString('utf8'), ++number, false);
  } finally {
    stream.destroy();
  }
}
