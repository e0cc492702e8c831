// Streams the lines of a file without holding it in memory, and says whether the last
// line ended with a newline (a line without one was cut off when its process died).
// Lines are handed over synchronously within each chunk read: a promise per line would
// cost more than parsing it.
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
      let start = 0;
      for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
        const text = carry.length === 0
          ? chunk.toString('utf8', start, nl)
          : Buffer.concat([...carry, chunk.subarray(start, nl)]).toString('utf8');
        carry = [];
        start = nl + 1;
        if (onLine(text, ++number, true) === false) return;
      }
      if (start < chunk.length) carry.push(chunk.subarray(start));
    }
    if (carry.length > 0) onLine(Buffer.concat(carry).toString('utf8'), ++number, false);
  } finally {
    stream.destroy();
  }
}
