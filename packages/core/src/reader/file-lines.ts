// Streams the lines of a file without holding it in memory, and says whether the last
// line ended with a newline (a line without one was cut off when its process died).
import { createReadStream } from 'node:fs';

export interface FileLine {
  text: string;
  number: number;
  /** false only for a final line with no terminating newline */
  complete: boolean;
}

const NEWLINE = 0x0a;

export async function* fileLines(path: string): AsyncGenerator<FileLine> {
  let carry: Buffer[] = [];
  let number = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, nl);
      const line = carry.length === 0 ? piece : Buffer.concat([...carry, piece]);
      carry = [];
      number++;
      yield { text: line.toString('utf8'), number, complete: true };
      start = nl + 1;
    }
    if (start < chunk.length) carry.push(chunk.subarray(start));
  }
  if (carry.length > 0) {
    number++;
    yield { text: Buffer.concat(carry).toString('utf8'), number, complete: false };
  }
}
