// Checks every line of the event files given against the event contract, with the core's
// compiled validator. usage: node validate_events.mjs <file>... ; prints the first problem.
import { readFileSync } from 'node:fs';

const core = new URL('../../core/dist/src/index.js', import.meta.url);
let checkEvent;
try {
  ({ checkEvent } = await import(core.href));
} catch (err) {
  console.log(`cannot load the core's validator (run npm run build first): ${err.message}`);
  process.exit(2);
}
let records = 0;
for (const file of process.argv.slice(2)) {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [i, line] of lines.entries()) {
    const result = checkEvent(JSON.parse(line));
    if (!result.ok) {
      console.log(`${file}:${i + 1}: ${result.error}: ${line.slice(0, 200)}`);
      process.exit(1);
    }
    records++;
  }
}
console.log(`${records} records valid`);
