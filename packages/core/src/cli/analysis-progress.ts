// Progress of a long analysis on a terminal: one line on stderr, rewritten in place, at most
// a few times a second, erased when done. Piped, redirected or in CI it prints nothing.
import type { AppModelOptions } from '../model/app-model.js';

const REDRAW_MS = 200;

export interface AnalysisProgress {
  report: NonNullable<AppModelOptions['progress']>;
  done(): void;
}

const silent: AnalysisProgress = { report: () => undefined, done: () => undefined };

export function analysisProgress(stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): AnalysisProgress {
  if (!stream.isTTY || env['CI'] || env['TERM'] === 'dumb') return silent;
  let last = 0;
  let shown = false;
  return {
    report: ({ files, filesTotal, records }) => {
      const now = Date.now();
      if (now - last < REDRAW_MS) return;
      last = now;
      shown = true;
      stream.write(`\r\x1b[2Kapitrace: analysing: ${files}/${filesTotal} files, ${records.toLocaleString('en')} records`);
    },
    done: () => {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
