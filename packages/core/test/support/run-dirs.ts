// Builds run directories of synthetic event files for the reader and model tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function runDirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'apitrace-run-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A runDirWith for one test file: every directory it makes is removed after that file's tests. */
export function runDirsRemovedAfterTests(): (files: Record<string, string>) => string {
  const made: string[] = [];
  after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  return (files) => {
    const dir = runDirWith(files);
    made.push(dir);
    return dir;
  };
}

export function processStart(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'process_start',
    v: 1,
    source: 'native',
    pid: 100,
    ppid: 1,
    t: 1000,
    wall: '2026-11-28T18:20:24.123Z',
    exe: '/bin/sh',
    argv: ['sh'],
    cwd: '/',
    runtime: { name: 'glibc', version: '2.36' },
    ...fields,
  };
}

export const lines = (...records: unknown[]): string => records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)) + '\n').join('');
