// What runtime VEX costs on top of the analysis: generates a run of N records (default 1,000,000)
// of a Node app with 300 npm packages (most loaded with a function inventory of 40 functions, a
// fifth of which ran; some only loaded, some only installed; 8 processes, spans and native calls
// as in bench/analyze.mjs) and A OSV
// advisories (default 10,000: a third on the app's packages with ranges and vulnerable
// functions, the rest on packages it does not have), then times, alternating,
//   `apitrace sbom <run>` (read, model, render and validate the SBOM) and
//   `apitrace vex <run> --advisories <file>` (read, model, read advisories, verdicts, render and validate).
// Both build the model, so (vex - sbom) / sbom is what the VEX step adds to the analysis; the
// target is at most 20%. Prints min/median/max seconds and the ratio of medians.
// Usage: node bench/vex.mjs [records] [advisories] [rounds]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeRecords, processStartLine } from './synthetic-native.mjs';
import { writeLines } from './write-lines.mjs';

const records = Number(process.argv[2] ?? 1_000_000);
const advisoryCount = Number(process.argv[3] ?? 10_000);
const rounds = Number(process.argv[4] ?? 5);
const cli = fileURLToPath(new URL('../packages/core/bin/apitrace.js', import.meta.url));
const processes = 8;
const packages = 300;
const functionsPerPackage = 40;
const dir = mkdtempSync(join(tmpdir(), 'apitrace-vex-bench-'));
const app = join(dir, 'app');
const run = join(dir, 'run');
mkdirSync(run);

// the app and its installed packages, so components get their npm identity from package.json
mkdirSync(join(app, 'node_modules'), { recursive: true });
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'bench-app', version: '1.0.0' }));
writeFileSync(join(app, 'app.js'), '');
const pkgName = (i) => `bench-pkg-${i}`;
for (let i = 0; i < packages; i++) {
  const root = join(app, 'node_modules', pkgName(i));
  mkdirSync(root);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: pkgName(i), version: `1.${i % 10}.0`, main: 'index.js' }));
  writeFileSync(join(root, 'index.js'), '');
}

const start = (pid, source, runtime) => processStartLine({ pid, source, runtime, cwd: app });
const perProcess = Math.floor(records / processes);
for (let p = 0; p < processes; p++) {
  const pid = 2000 + p;
  const spans = Math.floor(perProcess * 0.1);
  await writeLines(join(run, `${pid}-node-0.jsonl`), function* () {
    yield start(pid, 'node', { name: 'node', version: '20.20.2' });
    yield JSON.stringify({
      kind: 'code_unit',
      t: 1500,
      unit: 'module',
      how: 'require',
      path: join(app, 'app.js'),
      package: { name: 'bench-app', version: '1.0.0', root: app },
    });
    // every tenth package only installed, every tenth loaded without an inventory, the rest with
    // one where a fifth of the functions ran
    for (let i = 0; i < packages; i++) {
      if (i % 10 === 9) continue;
      const root = join(app, 'node_modules', pkgName(i));
      yield JSON.stringify({
        kind: 'code_unit',
        t: 2000 + i,
        unit: 'module',
        how: 'require',
        path: join(root, 'index.js'),
        package: { name: pkgName(i), version: `1.${i % 10}.0`, root },
      });
      if (i % 10 === 8) continue;
      const functions = [];
      for (let f = 0; f < functionsPerPackage; f++)
        functions.push({ name: `fn${f}`, line: f + 1, col: 0, ran: (f + i) % 5 === 0, hits: (f + i) % 5 === 0 ? 3 : 0 });
      yield JSON.stringify({ kind: 'function_inventory', t: 9_000_000, unit: root, scope: 'index.js', loaded: true, functions });
    }
    for (let s = 1; s <= 50; s++) {
      yield JSON.stringify({ kind: 'stack', id: s, frames: [{ lang: 'js', fn: `handler${s}`, file: join(app, 'app.js'), line: s, col: 3, unit: app }] });
    }
    for (let i = 0; i < spans - 53 - 2 * packages + Math.floor(packages / 10) * 3; i++) {
      const t0 = 10_000 + i * 1000;
      yield JSON.stringify({
        kind: 'call',
        api: 'node:fs.readFileSync',
        category: 'file',
        tid: pid,
        t0,
        t1: t0 + 500,
        stack: 1 + (i % 50),
        caller: app,
        args: { path: `/data/file-${i % 97}` },
        result: { ret: 'buffer(7)' },
      });
    }
    // a process that ends without its end record lost records: no not_affected would be said
    yield JSON.stringify({ kind: 'process_end', t: 99_000_000_000, reason: 'exit', exit_code: 0 });
  });
  await writeLines(join(run, `${pid}-native-0.jsonl`), () =>
    nativeRecords({
      pid,
      startLine: start(pid, 'native', { name: 'glibc', version: '2.36' }),
      count: perProcess - spans - 3,
      usageCaller: '/usr/bin/node',
      codeUnits: [{ t: 1002, path: '/lib/x86_64-linux-gnu/libc.so.6', soname: 'libc.so.6' }],
    }),
  );
}

// advisories: a third on the app's packages (ranges that do and do not cover the installed
// version, some naming functions), the rest on packages the runs never saw
const advisories = [];
for (let a = 0; a < advisoryCount; a++) {
  const ours = a % 3 === 0;
  const name = ours ? pkgName(Math.floor(a / 3) % packages) : `elsewhere-${a}`;
  advisories.push({
    id: `BENCH-${String(a).padStart(6, '0')}`,
    modified: '2026-01-01T00:00:00Z',
    aliases: [`CVE-2026-${10000 + a}`],
    summary: `synthetic advisory ${a}`,
    affected: [
      {
        package: { ecosystem: 'npm', name },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: `1.${(a * 7) % 13}.0` }] }],
        ...(a % 2 === 0
          ? { ecosystem_specific: { affected_functions: [`${name}.fn${a % functionsPerPackage}`, `${name}.fn${(a + 7) % functionsPerPackage}`] } }
          : {}),
      },
    ],
  });
}
const advisoryFile = join(dir, 'advisories.json');
writeFileSync(advisoryFile, JSON.stringify(advisories));

const bytes = readdirSync(run).reduce((n, f) => n + statSync(join(run, f)).size, 0);
console.log(
  `${records.toLocaleString('en')} records (${(bytes / 1e6).toFixed(0)} MB, ${processes * 2} files), ${packages} npm packages; ` +
    `${advisoryCount.toLocaleString('en')} advisories (${(statSync(advisoryFile).size / 1e6).toFixed(1)} MB); ${rounds} rounds, alternating`,
);

const variants = {
  'apitrace sbom': [process.execPath, cli, 'sbom', run, '--format', 'cyclonedx', '-o', join(dir, 'sbom.json')],
  'apitrace vex': [process.execPath, cli, 'vex', run, '--advisories', advisoryFile, '-f', 'openvex', '-o', join(dir, 'vex.json')],
};
const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, argv] of Object.entries(variants)) {
    const child = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...argv], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (child.status !== 0) throw new Error(`${name} failed: ${child.stderr}`);
    const [seconds, user, sys, kb] = child.stderr.trim().split('\n').at(-1).split(' ').map(Number);
    results[name].push({ seconds, cpu: user + sys, mb: kb / 1024 });
  }
}
// The same split in one process, phase by phase, which a busy shared machine blurs less than
// whole commands: the model (shared), the SBOM's rendering, and the VEX step itself.
const core = (path) => import(new URL(`../packages/core/dist/src/${path}`, import.meta.url).href);
const { buildAppModel } = await core('model/build-app-model.js');
const { renderSbom } = await core('sbom/sbom-files.js');
const { ObservationBuilder } = await core('vex/observation.js');
const { vexVerdicts, renderVex } = await core('vex/vex-files.js');
const phases = { model: [], sbom: [], vex: [] };
for (let r = 0; r < rounds; r++) {
  const t0 = performance.now();
  const model = await buildAppModel(run);
  const t1 = performance.now();
  await renderSbom(model, 'cyclonedx');
  const t2 = performance.now();
  const builder = new ObservationBuilder();
  builder.add(model);
  await renderVex(await vexVerdicts(builder.finish(), { advisories: [advisoryFile], warn: () => {} }), 'openvex');
  const t3 = performance.now();
  phases.model.push(t1 - t0);
  phases.sbom.push(t2 - t1);
  phases.vex.push(t3 - t2);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const [m, sb, vx] = [median(phases.model), median(phases.sbom), median(phases.vex)];
console.log(
  `in one process, median ms: model ${m.toFixed(0)}, SBOM render+validate ${sb.toFixed(0)}, VEX step (observation, advisories, verdicts, ` +
    `render+validate) ${vx.toFixed(0)}: the VEX step is ${((100 * vx) / (m + sb)).toFixed(1)}% of apitrace sbom's work`,
);

const statements = JSON.parse(spawnSync('cat', [join(dir, 'vex.json')], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout).statements;
const byStatus = {};
for (const s of statements) byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
console.log(
  `statements: ${statements.length} (${Object.entries(byStatus)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')})`,
);
const fmt = (n) => n.toFixed(2).padStart(6);
const medians = {};
for (const [name, rows] of Object.entries(results)) {
  const s = rows.map((x) => x.seconds).sort((a, b) => a - b);
  const cpu = rows.map((x) => x.cpu).sort((a, b) => a - b);
  medians[name] = { wall: s[Math.floor(s.length / 2)], cpu: cpu[Math.floor(cpu.length / 2)] };
  console.log(
    `${name.padEnd(14)} s: min ${fmt(s[0])} median ${fmt(medians[name].wall)} max ${fmt(s.at(-1))}  cpu-s median ${fmt(medians[name].cpu)}  peak RSS ${Math.round(Math.max(...rows.map((x) => x.mb)))} MB`,
  );
}
const added = (k) => ((medians['apitrace vex'][k] - medians['apitrace sbom'][k]) / medians['apitrace sbom'][k]) * 100;
console.log(`vex adds ${added('wall').toFixed(1)}% wall, ${added('cpu').toFixed(1)}% cpu to the analysis of sbom (target: at most 20%)`);
if (process.env.KEEP_BENCH_RUN) console.log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
