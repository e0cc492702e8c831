// Writes generated lines to a file in batches, waiting for the stream to drain: the synthetic
// runs of the analysis benchmarks are millions of lines.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export async function writeLines(path, produce) {
  const out = createWriteStream(path);
  let batch = [];
  for (const line of produce()) {
    batch.push(line);
    if (batch.length === 4096) {
      if (!out.write(batch.join('\n') + '\n')) await once(out, 'drain');
      batch = [];
    }
  }
  if (batch.length) out.write(batch.join('\n') + '\n');
  out.end();
  await once(out, 'finish');
}
