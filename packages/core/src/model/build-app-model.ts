// buildAppModel: reads a run directory once, streaming, and returns the AppModel
// (model/app-model.ts explains the steps and the guarantees).
import { readRun } from '../reader/run-reader.js';
import type { AppModel, AppModelOptions } from './app-model.js';
import { groupProcessImages } from './process-images.js';
import { buildProcessTree } from './process-tree.js';

export async function buildAppModel(runDir: string, options: AppModelOptions = {}): Promise<AppModel> {
  const run = await readRun(runDir);
  const images = groupProcessImages(run.files);
  const { processes } = buildProcessTree(images);
  const walls = processes.filter((p) => p.startWall !== undefined && p.startT !== undefined)
    .sort((a, b) => a.startT! - b.startT!);
  void options;
  const first = walls[0];
  return {
    modelVersion: 1,
    run: {
      dir: runDir,
      ...(run.manifest ? { manifest: run.manifest } : {}),
      ...(run.manifest?.started ?? first?.startWall ? { started: run.manifest?.started ?? first?.startWall } : {}),
      ...(run.manifest?.ended ? { ended: run.manifest.ended } : {}),
      ...(run.manifest?.exit_status === undefined ? {} : { exitStatus: run.manifest.exit_status }),
      ...(first ? { clock: { t: first.startT!, wall: first.startWall! } } : {}),
    },
    processes,
    components: [],
    dependencies: [],
    apiUsages: [],
    calls: [],
    webApis: [],
    notices: [],
    problems: run.problems,
    stats: {
      files: run.files.length,
      records: run.files.reduce((n, f) => n + f.records, 0),
      recordsByKind: Object.fromEntries([...run.recordsByKind].sort(([a], [b]) => a.localeCompare(b))),
      rejected: run.files.reduce((n, f) => n + f.rejected, 0),
      truncatedFiles: run.files.filter((f) => f.truncated).length,
      callsNotKept: 0,
      joins: { exact: 0, inferred: 0, unjoined: 0 },
    },
  };
}
