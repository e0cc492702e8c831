// Tells, before launching, why LD_PRELOAD would not reach a program: a statically linked
// binary has no dynamic loader (no PT_INTERP), and the loader ignores LD_PRELOAD for a
// program that changes its user or group on exec (secure-execution mode).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

const PT_INTERP = 3;
const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const MAX_SHEBANG_DEPTH = 4;

export type ElfLinking = 'dynamic' | 'static' | 'not-elf';

export function findOnPath(command: string, pathVar: string | undefined, cwd: string): string | undefined {
  if (command.includes('/')) return isAbsolute(command) ? command : resolve(cwd, command);
  for (const dir of (pathVar ?? '').split(delimiter)) {
    const candidate = join(dir === '' ? cwd : resolve(cwd, dir), command);
    let st;
    try {
      st = statSync(candidate, { throwIfNoEntry: false });
    } catch {
      continue; // a PATH entry that is a file or cannot be searched: the shell skips it too
    }
    if (st?.isFile() && (st.mode & 0o111) !== 0) return candidate;
  }
  return undefined;
}

function readHead(path: string, length: number, position = 0): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, position);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Whether an ELF file asks for a program interpreter (the dynamic loader). */
export function elfLinking(path: string): ElfLinking {
  const header = readHead(path, 64);
  if (header.length < 52 || !header.subarray(0, 4).equals(ELF_MAGIC)) return 'not-elf';
  const is64 = header[4] === 2;
  const little = header[5] === 1;
  const u16 = (b: Buffer, o: number): number => (little ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number): number => (little ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const phoff = is64 ? Number(little ? header.readBigUInt64LE(32) : header.readBigUInt64BE(32)) : u32(header, 28);
  const phentsize = u16(header, is64 ? 54 : 42);
  const phnum = u16(header, is64 ? 56 : 44);
  if (phentsize === 0 || phnum === 0) return 'static';
  const table = readHead(path, phentsize * phnum, phoff);
  for (let i = 0; i + 4 <= table.length && i < phentsize * phnum; i += phentsize) {
    if (u32(table, i) === PT_INTERP) return 'dynamic';
  }
  return 'static';
}

function shebangInterpreter(path: string, pathVar: string | undefined, cwd: string): string | undefined {
  const head = readHead(path, 256).toString('latin1');
  if (!head.startsWith('#!')) return undefined;
  const words = head.slice(2).split('\n')[0]!.trim().split(/\s+/);
  const [interpreter, firstArg] = words;
  if (!interpreter) return undefined;
  // `#!/usr/bin/env prog`: what runs is prog, found on PATH.
  if (interpreter.endsWith('/env') && firstArg && !firstArg.startsWith('-')) return findOnPath(firstArg, pathVar, cwd);
  return interpreter;
}

/** Secure-execution mode: the new effective uid/gid differs from the real one. */
function changesIdentity(path: string): string | undefined {
  const st = statSync(path);
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if ((st.mode & 0o4000) !== 0 && st.uid !== uid) return 'setuid';
  if ((st.mode & 0o2000) !== 0 && st.gid !== gid) return 'setgid';
  return undefined;
}

/** One warning line per reason native interception cannot attach to `command`, or none. */
export function nativeInterceptionWarnings(command: string, env: NodeJS.ProcessEnv, cwd: string): string[] {
  const warnings: string[] = [];
  let path = findOnPath(command, env['PATH'], cwd);
  try {
    for (let depth = 0; path && depth < MAX_SHEBANG_DEPTH; depth++) {
      const identity = changesIdentity(path);
      if (identity) {
        warnings.push(`apitrace: ${path} is ${identity}: the loader ignores LD_PRELOAD for it, so native calls are not recorded (other plugins still run)`);
      }
      const linking = elfLinking(path);
      if (linking === 'static') {
        warnings.push(`apitrace: ${path} is statically linked: native interception cannot attach to it (other plugins still run)`);
      }
      if (linking !== 'not-elf') break;
      path = shebangInterpreter(path, env['PATH'], cwd);
    }
  } catch {
    // unreadable or vanished: spawning will report it
  }
  return warnings;
}
