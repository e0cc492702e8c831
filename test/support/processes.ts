// Runs real programs for the end-to-end tests and collects what they did.
import { spawn, type SpawnOptions } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Finished {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runProgram(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `apitrace-${prefix}-`));
}

/** The environment with every apitrace variable a developer's shell might carry removed. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['APITRACE_DIR', 'LD_PRELOAD', 'NODE_OPTIONS', 'JAVA_TOOL_OPTIONS']) delete env[name];
  return { ...env, ...extra };
}
