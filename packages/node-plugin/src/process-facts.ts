// Facts about this process for process_start, read from /proc where Node's own view differs
// (process.argv rewrites the script path; the OS thread id is not exposed).
import { readFileSync, readlinkSync } from 'node:fs';

export function osThreadId(): number | undefined {
  try {
    // "/proc/thread-self" -> "<pid>/task/<tid>"
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

export function commandLine(): string[] {
  try {
    const raw = readFileSync('/proc/self/cmdline', 'utf8');
    const argv = raw.split('\0');
    if (argv.at(-1) === '') argv.pop();
    if (argv.length > 0) return argv;
  } catch {
    // not Linux or /proc hidden: fall back to what Node knows
  }
  return [process.argv0, ...process.execArgv, ...process.argv.slice(1)];
}

export function executablePath(): string {
  try {
    return readlinkSync('/proc/self/exe');
  } catch {
    return process.execPath;
  }
}
