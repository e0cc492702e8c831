// JVM agent benchmarks: bare vs. the apitrace agent vs. the JaCoCo agent (the anchor),
// alternating runs in one invocation, ratios of medians to bare with min/median/max.
//   cpu:     CpuWorkload (Jackson + Guava), steady-state ms per iteration after warm-up, wall
//            and the measuring thread's CPU time (less moved by other load)
//   random:  RandomWorkload (java.util.Random.nextInt in a hot loop, no secret context),
//            steady-state ns per call: the cost of a hooked high-frequency API
//   startup: StartupWorkload (loads every class of Guava, Jackson, H2, commons-lang3:
//            about 5,500 classes), wall and CPU time of the whole JVM run
// `bare-again` is bare once more in every round: its ratio to bare is the noise of this
// machine at the time, the yardstick for the other ratios.
// Usage: node bench/jvm/run.mjs [rounds] [workloads]   (after `npm install`; builds bench/jvm on
// first use; workloads is a comma-separated subset of cpu,random,startup, all by default)
// APITRACE_BENCH_AGENT=<jar> measures another build of the agent; APITRACE_BENCH_BEFORE=<jar> adds
// that build as one more variant, `before`, in the same alternation (a before/after comparison).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.argv[2] ?? 7);
const workloads = new Set((process.argv[3] ?? 'cpu,random,startup').split(','));
const here = fileURLToPath(new URL('.', import.meta.url));
const agent = process.env.APITRACE_BENCH_AGENT ?? fileURLToPath(new URL('../../packages/jvm-agent/target/apitrace.jar', import.meta.url));
const before = process.env.APITRACE_BENCH_BEFORE;
const jacoco = join(here, 'target/agents/jacocoagent.jar');
const classPath = `${join(here, 'target/jvm-bench.jar')}:${join(here, 'target/lib')}/*`;

if (!existsSync(agent)) throw new Error(`no ${agent}: run npm install first`);
if (
  !existsSync(jacoco) ||
  !existsSync(join(here, 'target/jvm-bench.jar')) ||
  !existsSync(join(here, 'target/classes/dev/apitrace/bench/RandomWorkload.class'))
) {
  const built = spawnSync('mvn', ['-B', '-q', '-ntp', '-f', join(here, 'pom.xml'), 'package'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('building bench/jvm failed');
}

const work = mkdtempSync(join(tmpdir(), 'apitrace-jvm-bench-'));
let runNumber = 0;
const variants = {
  bare: () => ({ options: [], env: {} }),
  'bare-again': () => ({ options: [], env: {} }),
  apitrace: () => {
    const dir = join(work, `run-${runNumber++}`);
    spawnSync('mkdir', [dir]);
    return { options: [`-javaagent:${agent}`], env: { APITRACE_DIR: dir } };
  },
  ...(before
    ? {
        before: () => {
          const dir = join(work, `run-${runNumber++}`);
          spawnSync('mkdir', [dir]);
          return { options: [`-javaagent:${before}`], env: { APITRACE_DIR: dir } };
        },
      }
    : {}),
  jacoco: () => ({ options: [`-javaagent:${jacoco}=destfile=${join(work, `jacoco-${runNumber++}.exec`)}`], env: {} }),
};

// CPU time (user + system) of the JVM too, through GNU time when it is there: on a shared
// machine it moves less with the other load than wall time does.
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function runJava(variant, mainClass, args) {
  const { options, env } = variants[variant]();
  const cleanEnv = { ...process.env, ...env };
  for (const name of ['JAVA_TOOL_OPTIONS', 'LD_PRELOAD', 'APITRACE_BENCH_AGENT', 'APITRACE_BENCH_BEFORE', ...(env.APITRACE_DIR ? [] : ['APITRACE_DIR'])])
    delete cleanEnv[name];
  const cpuFile = join(work, 'cpu.txt');
  const java = ['java', ...options, '-cp', classPath, mainClass, ...args];
  const argv = gnuTime ? [gnuTime, '-f', '%U %S', '-o', cpuFile, ...java] : java;
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { env: cleanEnv, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${variant} ${mainClass} exited ${r.status}: ${r.stderr}`);
  const cpuMs = gnuTime
    ? readFileSync(cpuFile, 'utf8')
        .trim()
        .split(/\s+/)
        .reduce((a, x) => a + Number(x) * 1000, 0)
    : NaN;
  return { wallMs, cpuMs, stdout: r.stdout };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s.at(-1) };
};
const fmt = (n) => n.toFixed(2);

function report(title, unit, samples) {
  console.log(`\n${title} (${unit}; ratio = variant median / bare median; per-round ratios min/median/max)`);
  const bare = stats(samples.bare).median;
  for (const [variant, xs] of Object.entries(samples)) {
    const s = stats(xs);
    const perRound = stats(xs.map((x, i) => x / samples.bare[i]));
    console.log(
      `${variant.padEnd(10)} min ${fmt(s.min).padStart(9)}  median ${fmt(s.median).padStart(9)}  max ${fmt(s.max).padStart(9)}  ratio ${fmt(s.median / bare)}x  (rounds ${fmt(perRound.min)}/${fmt(perRound.median)}/${fmt(perRound.max)})`,
    );
  }
}

const perVariant = () => Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
const cpu = perVariant();
const cpuThread = perVariant();
const random = perVariant();
const startup = perVariant();
const startupCpu = perVariant();
let loaded = '';
for (let i = 0; i < rounds; i++) {
  for (const variant of Object.keys(variants)) {
    if (workloads.has('cpu')) {
      const c = runJava(variant, 'dev.apitrace.bench.CpuWorkload', ['200', '300']);
      cpu[variant].push(Number(/steady_ms=([\d.]+)/.exec(c.stdout)[1]));
      cpuThread[variant].push(Number(/steady_cpu_ms=([\d.]+)/.exec(c.stdout)[1]));
    }
    if (workloads.has('random')) {
      const r = runJava(variant, 'dev.apitrace.bench.RandomWorkload', ['200000', '2000000']);
      random[variant].push(Number(/steady_ns=([\d.]+)/.exec(r.stdout)[1]));
    }
    if (!workloads.has('startup')) continue;
    const s = runJava(variant, 'dev.apitrace.bench.StartupWorkload', []);
    startup[variant].push(s.wallMs);
    startupCpu[variant].push(s.cpuMs);
    loaded = /loaded=(\d+)/.exec(s.stdout)[1];
  }
}
console.log(
  `JVM agent benchmarks (${agent}), ${rounds} alternating rounds, java ${spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr.split('\n')[0]}`,
);
if (workloads.has('cpu')) {
  report('cpu: Jackson + Guava, steady state per iteration', 'ms', cpu);
  report('cpu: the same iterations, CPU time of the measuring thread', 'ms', cpuThread);
}
if (workloads.has('random')) report('random: java.util.Random.nextInt in a hot loop, no secret context, steady state per call', 'ns', random);
if (workloads.has('startup')) {
  report(`startup: ${loaded} classes loaded, whole JVM run, wall time`, 'ms', startup);
  if (gnuTime) report(`startup: the same runs, CPU time (user + system)`, 'ms', startupCpu);
}
rmSync(work, { recursive: true, force: true });
