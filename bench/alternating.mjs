// What the start-up benchmarks share: run every variant once per round, round after round (so
// a change in the machine's load hits them all alike), then print min/median/max of each and
// its median as a ratio to the first variant's (bare).
export function runAlternating(variants, rounds) {
  const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let i = 0; i < rounds; i++) {
    for (const [name, run] of Object.entries(variants)) times[name].push(run(i));
  }
  return times;
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s.at(-1) };
}

export function printRatios(title, times) {
  const width = Math.max(...Object.keys(times).map((name) => name.length));
  const bare = stats(Object.values(times)[0]).median;
  console.log(`${title} (ms; ratio = median / bare median)`);
  for (const [name, xs] of Object.entries(times)) {
    const s = stats(xs);
    console.log(
      `${name.padEnd(width)}  min ${s.min.toFixed(0).padStart(6)}  median ${s.median.toFixed(0).padStart(6)}  max ${s.max.toFixed(0).padStart(6)}  ratio ${(s.median / bare).toFixed(2)}x`,
    );
  }
}
