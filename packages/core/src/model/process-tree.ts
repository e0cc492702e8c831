// Process tree: turns process images (model/process-images.ts) into ModelProcesses with stable
// ids and lineage: a forked child points at the image of its parent pid that was running when
// it started; an exec'd image points at the previous image of its own pid.
import type { Source } from '../schema/events.generated.js';
import type { ProcessImage } from './process-images.js';
import type { ModelProcess, ProcessLineage } from './app-model.js';

const SOURCE_ORDER: Record<Source, number> = { native: 0, node: 1, jvm: 2 };

function lineageOf(image: ProcessImage, previousOfPid: boolean): ProcessLineage {
  const origins = image.files.map((f) => f.start?.origin).filter((o) => o !== undefined);
  if (origins.includes('exec')) return 'exec';
  if (origins.includes('fork')) return 'fork';
  if (origins.includes('thread')) return 'thread';
  return previousOfPid ? 'exec' : 'start';
}

/** Builds the processes, sorted by start time then pid; `idOfImage` maps each image to its id. */
export function buildProcessTree(images: readonly ProcessImage[]): { processes: ModelProcess[]; idOfImage: Map<ProcessImage, string> } {
  const idOfImage = new Map<ProcessImage, string>();
  const imagesOfPid = new Map<number, ProcessImage[]>();
  for (const image of images) {
    const list = imagesOfPid.get(image.pid) ?? [];
    idOfImage.set(image, list.length === 0 ? String(image.pid) : `${image.pid}.${list.length}`);
    list.push(image);
    imagesOfPid.set(image.pid, list);
  }
  const processes: ModelProcess[] = [];
  for (const image of images) {
    const ofPid = imagesOfPid.get(image.pid)!;
    const index = ofPid.indexOf(image);
    const lineage = lineageOf(image, index > 0);
    let parent: string | undefined;
    if (index > 0 && lineage !== 'fork') parent = idOfImage.get(ofPid[index - 1]!);
    else if (image.ppid !== undefined) {
      // the parent pid's image that had started when this one started
      const candidates = imagesOfPid.get(image.ppid) ?? [];
      const running = candidates.filter((c) => (c.startT ?? 0) <= (image.startT ?? Infinity)).at(-1) ?? candidates[0];
      if (running) parent = idOfImage.get(running);
    }
    const files = [...image.files].sort((a, b) => SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source] || a.seq - b.seq);
    const runtimes: ModelProcess['runtimes'] = [];
    let cwd: string | undefined;
    let startWall: string | undefined;
    let dropped = 0;
    let endT: number | undefined;
    for (const f of files) {
      const start = f.start;
      if (start) {
        runtimes.push({ source: f.source, ...start.runtime });
        cwd ??= start.cwd;
        if (start.t === image.startT) startWall ??= start.wall;
      }
      dropped += f.end?.dropped ?? 0;
      if (f.end && (endT === undefined || f.end.t > endT)) endT = f.end.t;
    }
    const language = runtimes.find((r) => r.source !== 'native');
    const main = language ?? runtimes[0];
    const end = image.end;
    processes.push({
      id: idOfImage.get(image)!,
      pid: image.pid,
      ...(image.ppid === undefined ? {} : { ppid: image.ppid }),
      ...(parent === undefined ? {} : { parent }),
      lineage,
      ...(image.exe === undefined ? {} : { exe: image.exe }),
      ...(image.argv === undefined ? {} : { argv: image.argv }),
      ...(cwd === undefined ? {} : { cwd }),
      sources: [...image.sources].sort((a, b) => SOURCE_ORDER[a] - SOURCE_ORDER[b]),
      runtimes,
      ...(main ? { runtime: { name: main.name, version: main.version, ...(main.vendor ? { vendor: main.vendor } : {}) } } : {}),
      ...(image.startT === undefined ? {} : { startT: image.startT }),
      ...(startWall === undefined ? {} : { startWall }),
      ...(endT === undefined ? {} : { endT }),
      ...(end
        ? {
            end: {
              ...(end.reason ? { reason: end.reason } : {}),
              ...(end.exit_code === undefined ? {} : { exitCode: end.exit_code }),
              ...(end.signal === undefined ? {} : { signal: end.signal }),
            },
          }
        : {}),
      endMissing: image.endMissing,
      dropped,
      files: files.map((f) => f.name),
    });
  }
  return { processes, idOfImage };
}
