// Groups event files into process images: the native, node and jvm files of one pid that
// describe the same program image (a pid that execs has several images).
import type { ProcessEnd, Source } from '../schema/events.generated.js';
import type { EventFileSummary } from '../reader/run-reader.js';

export interface ProcessImage {
  pid: number;
  ppid?: number;
  /** CLOCK_MONOTONIC ns of the earliest process_start of the image */
  startT?: number;
  exe?: string;
  argv?: string[];
  sources: Source[];
  /** how the image ended, from its native file when it has one */
  end?: ProcessEnd;
  /** some file of the image lacks process_end: the process died or is still running */
  endMissing: boolean;
  files: EventFileSummary[];
}

function newImage(file: EventFileSummary): ProcessImage {
  return { pid: file.pid, sources: [], endMissing: false, files: [] };
}

function addFile(image: ProcessImage, file: EventFileSummary): void {
  image.files.push(file);
  if (!image.sources.includes(file.source)) image.sources.push(file.source);
  const start = file.start;
  // The native shim sees the argv the kernel exec'd; prefer it over a runtime's own view.
  if (start && (image.argv === undefined || file.source === 'native')) {
    image.ppid = start.ppid;
    image.exe = start.exe;
    image.argv = start.argv;
  }
  if (start && (image.startT === undefined || start.t < image.startT)) image.startT = start.t;
  if (file.end) {
    if (!image.end || file.source === 'native') image.end = file.end;
  } else {
    image.endMissing = true;
  }
}

/**
 * The native file of an image that exec'd has no process_end: the shim cannot know, before
 * calling execve, that it will succeed. A next image of the same pid that began by exec proves
 * it did, so the earlier image ended by exec when that image started.
 */
function endByExec(image: ProcessImage, next: ProcessImage | undefined): void {
  if (image.end || !next) return;
  const nativeStart = next.files.find((f) => f.source === 'native')?.start;
  if (nativeStart?.origin !== 'exec') return;
  image.end = { kind: 'process_end', t: nativeStart.t, reason: 'exec' };
  image.endMissing = image.files.some((f) => f.source !== 'native' && !f.end);
}

const startOf = (f: EventFileSummary): number => f.start?.t ?? Number.POSITIVE_INFINITY;

/**
 * A language file (node, jvm) belongs to the native image of its pid that started last
 * before it; without one, to an earlier image of its pid that lacks its source.
 */
export function groupProcessImages(files: readonly EventFileSummary[]): ProcessImage[] {
  const byPid = new Map<number, EventFileSummary[]>();
  for (const f of files) {
    const pidFiles = byPid.get(f.pid);
    if (pidFiles) pidFiles.push(f);
    else byPid.set(f.pid, [f]);
  }

  const images: ProcessImage[] = [];
  for (const pidFiles of byPid.values()) {
    const ordered = pidFiles.sort((a, b) => startOf(a) - startOf(b) || a.seq - b.seq);
    const pidImages: ProcessImage[] = [];
    let currentNative: ProcessImage | undefined;
    for (const file of ordered) {
      if (file.source === 'native') {
        currentNative = newImage(file);
        pidImages.push(currentNative);
        addFile(currentNative, file);
        continue;
      }
      let home = currentNative && !currentNative.sources.includes(file.source) ? currentNative : undefined;
      home ??= pidImages.findLast((img) => !img.sources.includes(file.source));
      if (!home) {
        home = newImage(file);
        pidImages.push(home);
      }
      addFile(home, file);
    }
    pidImages.forEach((image, i) => endByExec(image, pidImages[i + 1]));
    images.push(...pidImages);
  }
  return images.sort((a, b) => (a.startT ?? Infinity) - (b.startT ?? Infinity) || a.pid - b.pid);
}
