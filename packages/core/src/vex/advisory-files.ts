// Reads the advisories named on the command line: OSV records (one JSON file, a folder of them
// searched recursively as the GitHub advisory database lays them out, or a zip as the OSV and
// GitHub exports ship them), and osv-scanner or grype JSON reports. Files only: nothing is
// fetched. Every path is hostile: links are not followed, sizes and counts are capped, and a
// file that cannot be used is one problem line while the rest is still read.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mergeAffected, type Advisory, type AdvisoryProblem } from './advisory.js';
import { advisoryOfOsv, isOsvRecord } from './osv-record.js';
import { advisoriesOfGrype, advisoriesOfOsvScanner, isGrypeReport, isOsvScannerReport } from './scanner-reports.js';
import { readZipJsonEntries } from './zip-entries.js';
import { readRegularFile, UntrustedFileError } from '../reader/untrusted-file.js';

const MAX_JSON_BYTES = 512 * 1024 * 1024;
const MAX_FOLDER_FILES = 500_000;
const MAX_FOLDER_DEPTH = 16;

export interface AdvisoryInput {
  advisories: Advisory[];
  problems: AdvisoryProblem[];
  /** files and archive entries that held advisories (or an empty report) */
  readable: number;
}

/** Whether a package (purl type, ecosystem name) is one the runs saw: advisories on others are dropped early. */
export type PackageFilter = (purlType: string, name: string) => boolean;

class Collected {
  readonly byId = new Map<string, Advisory>();
  readonly problems: AdvisoryProblem[] = [];
  readable = 0;

  constructor(private readonly relevant: PackageFilter) {}

  add(found: Advisory): void {
    const affected = found.affected.filter((a) => this.relevant(a.ecosystem.purlType, a.name));
    if (affected.length === 0) return;
    const advisory = { ...found, affected };
    const known = this.byId.get(advisory.id);
    if (!known) {
      this.byId.set(advisory.id, advisory);
      return;
    }
    known.aliases = [...new Set([...known.aliases, ...advisory.aliases])].filter((a) => a !== known.id).sort();
    known.affected = mergeAffected([...known.affected, ...advisory.affected]);
    known.summary ??= advisory.summary;
  }

  /** One JSON text: an OSV record, a list of them, or a scanner report; never throws. */
  json(text: string, source: string): void {
    try {
      this.jsonValue(text, source);
    } catch (err) {
      this.problems.push({ where: source, what: `cannot be read: ${(err as Error).message.slice(0, 200)}`, advice: 'it is skipped' });
    }
  }

  private jsonValue(text: string, source: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.problems.push({
        where: source,
        what: `not JSON: ${(err as Error).message.slice(0, 120)}`,
        advice: 'it is skipped; give OSV records or osv-scanner / grype JSON reports',
      });
      return;
    }
    const records = Array.isArray(value) && value.length > 0 && value.every(isOsvRecord) ? value : isOsvRecord(value) ? [value] : undefined;
    if (records) {
      this.readable++;
      for (const record of records) {
        const advisory = advisoryOfOsv(record, source, this.problems);
        if (advisory) this.add(advisory);
      }
    } else if (isOsvScannerReport(value)) {
      this.readable++;
      advisoriesOfOsvScanner(value, source, this.problems).forEach((a) => this.add(a));
    } else if (isGrypeReport(value)) {
      this.readable++;
      advisoriesOfGrype(value, source, this.problems).forEach((a) => this.add(a));
    } else {
      this.problems.push({ where: source, what: 'neither an OSV record nor an osv-scanner or grype JSON report', advice: 'it is skipped' });
    }
  }
}

function isZip(bytes: Buffer): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05);
}

async function readFile(path: string, collected: Collected): Promise<void> {
  if (path.toLowerCase().endsWith('.zip')) return readZip(path, collected);
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path, MAX_JSON_BYTES);
  } catch (err) {
    collected.problems.push({ where: path, what: unreadable(err), advice: 'it is skipped' });
    return;
  }
  if (isZip(bytes)) return readZip(path, collected);
  collected.json(bytes.toString('utf8'), path);
}

async function readZip(path: string, collected: Collected): Promise<void> {
  try {
    await readZipJsonEntries(path, {
      entry: (name, text) => collected.json(text, `${path}!${name}`),
      skipped: (name, why) => collected.problems.push({ where: `${path}!${name}`, what: why, advice: 'this entry is skipped' }),
    });
  } catch (err) {
    collected.problems.push({ where: path, what: `cannot read the zip archive: ${unreadable(err)}`, advice: 'what was read before is kept' });
  }
}

function unreadable(err: unknown): string {
  if (err instanceof UntrustedFileError) return err.message;
  const code = (err as NodeJS.ErrnoException).code;
  return code ? `cannot be read (${code})` : (err as Error).message.slice(0, 200);
}

/** The JSON files and zips of a folder and its subfolders, sorted; links are not followed. */
function folderFiles(root: string, problems: AdvisoryProblem[]): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (err) {
      problems.push({ where: dir, what: unreadable(err), advice: 'it is skipped' });
      return;
    }
    for (const name of names) {
      if (found.length >= MAX_FOLDER_FILES) return;
      const path = join(dir, name);
      const stat = lstatSync(path, { throwIfNoEntry: false });
      if (!stat || stat.isSymbolicLink()) continue;
      if (stat.isDirectory()) {
        if (depth < MAX_FOLDER_DEPTH && !name.startsWith('.')) walk(path, depth + 1);
      } else if (stat.isFile() && /\.(json|zip)$/i.test(name)) {
        found.push(path);
      }
    }
  };
  walk(root, 0);
  if (found.length >= MAX_FOLDER_FILES)
    problems.push({ where: root, what: `holds more than ${MAX_FOLDER_FILES} advisory files`, advice: 'only the first ones are read; give a smaller folder' });
  return found;
}

/** Reads every advisory at the given paths (files, folders, zips). */
export async function readAdvisories(paths: readonly string[], relevant: PackageFilter = () => true): Promise<AdvisoryInput> {
  const collected = new Collected(relevant);
  for (const path of paths) {
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat) {
      collected.problems.push({ where: path, what: 'does not exist', advice: 'give an OSV file, folder or zip, or a scanner report' });
    } else if (stat.isSymbolicLink()) {
      collected.problems.push({ where: path, what: 'is a symbolic link, which apitrace does not follow', advice: 'give the file it points to' });
    } else if (stat.isDirectory()) {
      for (const file of folderFiles(path, collected.problems)) await readFile(file, collected);
    } else {
      await readFile(path, collected);
    }
  }
  const advisories = [...collected.byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { advisories, problems: collected.problems, readable: collected.readable };
}
