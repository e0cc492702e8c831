// The ELF symbol reader and the symbolizer on real files: the C library, a test program the native
// shim's Makefile builds, a program compiled here with -O2 -g (a static function inlined into its
// caller), with binutils (nm, readelf, objdump, addr2line) as the oracle; and hostile inputs:
// truncated copies, bogus offsets, sizes and links, random damage, a FIFO, a device, a directory.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ElfFile, ElfFormatError, SHT_SYMTAB } from '../../src/symbols/elf-file.js';
import { FunctionSymbols } from '../../src/symbols/elf-symbols.js';
import { InlinedFunctions } from '../../src/symbols/dwarf-inlines.js';
import { addSite, nameFrames, nameSites, siteKey, type NativeSites, type SymbolizerStats } from '../../src/symbols/native-symbolizer.js';
import { UntrustedFileError } from '../../src/reader/untrusted-file.js';

const REPO = fileURLToPath(new URL('../../../../../', import.meta.url));
const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';
const PROGRAM = join(REPO, 'packages/native-shim/build/test-programs/findings');

const tool = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

function buildIdOf(path: string): string {
  const id = /Build ID: ([0-9a-f]+)/.exec(tool('readelf', ['-n', path]))?.[1];
  assert.ok(id, `readelf finds no build-id in ${path}`);
  return id;
}

/** [name, value] of every defined function nm lists (-D: the dynamic symbols only), versions left off. */
function nmFunctionList(path: string, dynamic: boolean): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const line of tool('nm', ['--defined-only', ...(dynamic ? ['-D'] : []), path]).split('\n')) {
    const m = /^([0-9a-f]+) ([TtWwi]) ([^@\s]+)/.exec(line);
    if (m) out.push([m[3]!, Number.parseInt(m[1]!, 16)]);
  }
  return out;
}

/** name -> value (for a name with several versions, one of them). */
const nmFunctions = (path: string, dynamic: boolean): Map<string, number> => new Map(nmFunctionList(path, dynamic));

function withElf<T>(path: string, use: (elf: ElfFile) => T): T {
  const elf = ElfFile.open(path);
  try {
    return use(elf);
  } finally {
    elf.close();
  }
}

const hex = (n: number): string => `0x${n.toString(16)}`;

const noStats = (): SymbolizerStats => ({ filesRead: 0, filesRefused: 0, unitsUnchecked: 0, sitesNamed: 0, sitesUnnamed: 0 });

/** The names of one recorded site, as a run with only that site would get them. */
function namesAt(path: string, buildId: string | undefined, addr: string, stats = noStats()): readonly string[] | undefined {
  const sites: NativeSites = new Map();
  addSite(sites, path, buildId, addr);
  return nameSites(sites, stats).get(siteKey(path, addr));
}

describe('ELF symbols', function () {
  this.timeout(60_000);
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'apitrace-elf-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  describe('real files', () => {
    it('reads the build-id of libc and of the test program as readelf does', () => {
      for (const path of [LIBC, PROGRAM])
        assert.equal(
          withElf(path, (elf) => elf.buildId()),
          buildIdOf(path),
          path,
        );
    });

    it('names libc functions from .dynsym: each exported function by a name nm gives its address', () => {
      const exported = nmFunctions(LIBC, true);
      const namesAt = new Map<number, Set<string>>();
      for (const [name, value] of nmFunctionList(LIBC, true)) namesAt.set(value, (namesAt.get(value) ?? new Set()).add(name));
      const symbols = withElf(LIBC, (elf) => FunctionSymbols.read(elf));
      assert.ok(symbols.count > 1000, `${symbols.count} functions`);
      assert.equal(symbols.functionAt(exported.get('rand')! + 4), 'rand');
      assert.equal(symbols.functionAt(exported.get('getrandom')! + 1), 'getrandom');
      let checked = 0;
      for (const [value, names] of namesAt) {
        const found = symbols.functionAt(value);
        if (found === undefined) continue; // size 0 (assembly), not trusted to name an offset
        assert.ok(names.has(found), `${hex(value)}: ${found}, nm says ${[...names].join(', ')}`);
        checked++;
      }
      assert.ok(checked > 1000, `${checked} checked`);
    });

    it('names a static function of a program that was not stripped from .symtab, and nothing past the last function', () => {
      const all = nmFunctions(PROGRAM, false);
      const symbols = withElf(PROGRAM, (elf) => FunctionSymbols.read(elf));
      assert.equal(symbols.functionAt(all.get('first_object')! + 1), 'first_object'); // static: in .symtab only
      assert.equal(symbols.functionAt(all.get('make_secret_token')! + 1), 'make_secret_token');
      assert.equal(symbols.functionAt(0), undefined);
      assert.equal(symbols.functionAt(Number.MAX_SAFE_INTEGER), undefined);
    });

    it('a stripped copy keeps its build-id; only what .dynsym exports is named', () => {
      const stripped = join(work, 'findings-stripped');
      tool('strip', ['-o', stripped, PROGRAM]);
      const all = nmFunctions(PROGRAM, false);
      withElf(stripped, (elf) => {
        assert.equal(elf.buildId(), buildIdOf(PROGRAM));
        assert.equal(
          elf.sections.some((s) => s.type === SHT_SYMTAB),
          false,
        );
        assert.equal(FunctionSymbols.read(elf).functionAt(all.get('first_object')! + 1), undefined);
        assert.equal(InlinedFunctions.read(elf, 1 << 30), undefined);
      });
    });

    it('names the function -O2 inlined at a call from the DWARF of a -g build, as addr2line -i does', () => {
      const source = join(work, 'inlined.c');
      const program = join(work, 'inlined');
      writeFileSync(
        source,
        [
          '#include <stdio.h>',
          '#include <stdlib.h>',
          'static unsigned make_api_token(unsigned n) { unsigned t = 0; for (unsigned i = 0; i < n; i++) t = t * 31u + (unsigned)rand(); return t; }',
          'int main(int argc, char **argv) { (void)argv; printf("%u\\n", make_api_token((unsigned)argc + 3u)); return 0; }',
          '',
        ].join('\n'),
      );
      const cc = spawnSync('gcc', ['-O2', '-g', '-o', program, source], { encoding: 'utf8' });
      assert.equal(cc.status, 0, cc.stderr);
      assert.equal(nmFunctions(program, false).has('make_api_token'), false, 'gcc did not inline make_api_token: the test needs it inlined');
      const call = /^\s*([0-9a-f]+):\s+call\s+[0-9a-f]+ <rand@plt>\n\s*([0-9a-f]+):/m.exec(tool('objdump', ['-d', '--no-show-raw-insn', program]));
      assert.ok(call, 'no call to rand in the program');
      const returnAddress = Number.parseInt(call[2]!, 16);
      const oracle = tool('addr2line', ['-i', '-f', '-e', program, hex(returnAddress - 1)])
        .split('\n')
        .filter((_, i) => i % 2 === 0 && _ !== '');
      assert.deepEqual(oracle, ['make_api_token', 'main']);

      const sites: NativeSites = new Map();
      addSite(sites, program, buildIdOf(program), hex(returnAddress));
      const names = nameSites(sites);
      assert.deepEqual(names.get(siteKey(program, hex(returnAddress))), ['make_api_token', 'main']);
      const frames = nameFrames([{ lang: 'native' as const, fn: '?', unit: program, addr: hex(returnAddress) }], names);
      assert.deepEqual(
        frames.map((f) => [f.fn, f.unit, f.addr]),
        [
          ['make_api_token', program, hex(returnAddress)],
          ['main', program, hex(returnAddress)],
        ],
      );
    });
  });

  describe("naming a run's sites", () => {
    it('names nothing in a file whose build-id is not the recorded one, or that was recorded without one; the frame stays as recorded', () => {
      const at = hex(nmFunctions(PROGRAM, false).get('make_secret_token')! + 8);
      const stats = noStats();
      assert.equal(namesAt(PROGRAM, '00112233', at, stats), undefined);
      assert.equal(namesAt(PROGRAM, undefined, at, stats), undefined);
      assert.deepEqual(namesAt(PROGRAM, buildIdOf(PROGRAM), at, stats), ['make_secret_token']);
      assert.deepEqual(stats, { filesRead: 1, filesRefused: 1, unitsUnchecked: 1, sitesNamed: 1, sitesUnnamed: 2 });
      const recorded = [{ lang: 'native' as const, fn: '?', unit: PROGRAM, addr: at }];
      assert.equal(nameFrames(recorded, new Map([[siteKey(PROGRAM, '0x1'), ['other']]])), recorded);
    });

    it('a unit recorded with two build-ids (rebuilt during the run) is not named', () => {
      const at = hex(nmFunctions(PROGRAM, false).get('make_secret_token')! + 8);
      const sites: NativeSites = new Map();
      addSite(sites, PROGRAM, buildIdOf(PROGRAM), at);
      addSite(sites, PROGRAM, '0011', at);
      const stats = noStats();
      assert.equal(nameSites(sites, stats).size, 0);
      assert.equal(stats.unitsUnchecked, 1);
    });

    it('reads each file once for all its sites, keeping only the functions that hold one', () => {
      const exported = nmFunctions(LIBC, true);
      const wanted = ['rand', 'malloc', 'getrandom', 'qsort'].map((fn) => [fn, hex(exported.get(fn)! + 4)] as const);
      const sites: NativeSites = new Map();
      for (const [, addr] of wanted) addSite(sites, LIBC, buildIdOf(LIBC), addr);
      const stats = noStats();
      const names = nameSites(sites, stats);
      for (const [fn, addr] of wanted) assert.deepEqual(names.get(siteKey(LIBC, addr)), [fn]);
      assert.deepEqual(stats, { filesRead: 1, filesRefused: 0, unitsUnchecked: 0, sitesNamed: 4, sitesUnnamed: 0 });
      const kept = withElf(LIBC, (elf) =>
        FunctionSymbols.read(
          elf,
          wanted.map(([, addr]) => Number.parseInt(addr, 16) - 1),
        ),
      );
      assert.equal(kept.count, 4);
    });

    it('refuses recorded offsets and paths that are not what the shim writes', () => {
      const id = buildIdOf(LIBC);
      for (const addr of ['0x', '1234', '0xZZ', '0x' + 'f'.repeat(20), '-0x1', '0x0']) assert.equal(namesAt(LIBC, id, addr), undefined, addr);
      assert.equal(namesAt('libc.so.6', id, '0x1000'), undefined);
    });
  });

  describe('hostile files', () => {
    const expected = (err: unknown): boolean => err instanceof ElfFormatError || err instanceof UntrustedFileError;

    /** Reads everything the symbolizer would; only the reader's own errors may come out. */
    function readAll(path: string): { symbols: number; buildId?: string } | Error {
      try {
        return withElf(path, (elf) => {
          const symbols = FunctionSymbols.read(elf);
          const dwarf = InlinedFunctions.read(elf, 1 << 28);
          for (let offset = 0; offset < 0x3000; offset += 0x40) {
            symbols.functionAt(offset);
            dwarf?.inlinedAt(offset);
          }
          const buildId = elf.buildId();
          return { symbols: symbols.count, ...(buildId ? { buildId } : {}) };
        });
      } catch (err) {
        assert.ok(expected(err), `unexpected ${(err as Error).stack}`);
        return err as Error;
      }
    }

    function patched(name: string, change: (bytes: Buffer) => void): string {
      const bytes = readFileSync(PROGRAM);
      change(bytes);
      const path = join(work, name);
      writeFileSync(path, bytes);
      return path;
    }

    const sectionHeader = (bytes: Buffer, index: number): number => Number(bytes.readBigUInt64LE(0x28)) + index * 64;
    const symtabIndex = (): number => withElf(PROGRAM, (elf) => elf.sections.find((s) => s.type === SHT_SYMTAB)!.index);

    it('truncated copies: refused or read in part, never more', () => {
      const size = readFileSync(PROGRAM).length;
      for (const length of [0, 3, 4, 20, 63, 64, 200, Math.floor(size / 3), Math.floor(size / 2), size - 65, size - 1]) {
        const path = join(work, `truncated-${length}`);
        writeFileSync(path, readFileSync(PROGRAM).subarray(0, length));
        const result = readAll(path);
        if (length < size - 64 * 40) assert.ok(result instanceof Error, `${length} bytes: ${JSON.stringify(result)}`);
      }
    });

    it('a section table past the end of the file, or with a wrong entry size', () => {
      assert.match(String(readAll(patched('shoff-past-end', (b) => b.writeBigUInt64LE(BigInt(b.length + 4096), 0x28)))), /truncated/);
      assert.match(String(readAll(patched('shoff-huge', (b) => b.writeBigUInt64LE(0xffffffffffffff00n, 0x28)))), /truncated/);
      assert.match(String(readAll(patched('shentsize', (b) => b.writeUInt16LE(40, 0x3a)))), /section headers of 40 bytes/);
      assert.match(String(readAll(patched('not-elf', (b) => b.write('\x7fELG', 0, 'latin1')))), /not an ELF file/);
      assert.match(
        String(
          readAll(
            patched('elf32', (b) => {
              b[4] = 1;
            }),
          ),
        ),
        /64-bit little-endian/,
      );
    });

    it('extended section numbering with a huge count is refused', () => {
      const result = readAll(
        patched('shnum-extended', (b) => {
          b.writeUInt16LE(0, 0x3c);
          b.writeBigUInt64LE(10_000_000n, sectionHeader(b, 0) + 32);
        }),
      );
      assert.match(String(result), /more sections than apitrace reads/);
    });

    it('.symtab with a bogus offset, size, entry size or string table link: that table is left out', () => {
      const index = symtabIndex();
      const dynamicOnly = nmFunctions(PROGRAM, true).size;
      const cases: Array<[string, (b: Buffer, at: number) => void]> = [
        ['offset', (b, at) => b.writeBigUInt64LE(0x7fffffffffffn, at + 24)],
        ['offset-u64', (b, at) => b.writeBigUInt64LE(0xffffffffffffffffn, at + 24)],
        ['size', (b, at) => b.writeBigUInt64LE(BigInt(b.length) * 24n, at + 32)],
        ['size-huge', (b, at) => b.writeBigUInt64LE(0xfffffffffffffff0n, at + 32)],
        ['entsize', (b, at) => b.writeBigUInt64LE(7n, at + 56)],
        ['link', (b, at) => b.writeUInt32LE(0xffff, at + 40)],
        ['link-to-itself', (b, at) => b.writeUInt32LE(index, at + 40)],
      ];
      for (const [name, change] of cases) {
        const result = readAll(patched(`symtab-${name}`, (b) => change(b, sectionHeader(b, index))));
        assert.ok(!(result instanceof Error), `${name}: ${String(result)}`);
        assert.ok(result.symbols <= dynamicOnly + 1, `${name}: ${result.symbols} symbols from a damaged .symtab`);
      }
    });

    it('symbol entries pointing past their string table or with huge values name nothing and stop nothing', () => {
      const index = symtabIndex();
      const result = readAll(
        patched('symbols-garbage', (b) => {
          const at = sectionHeader(b, index);
          const offset = Number(b.readBigUInt64LE(at + 24));
          const size = Number(b.readBigUInt64LE(at + 32));
          for (let s = offset; s + 24 <= offset + size; s += 24) {
            b.writeUInt32LE(0xfffffff0, s); // st_name past the strings
            b.writeBigUInt64LE(0xffffffffffffff00n, s + 8); // st_value not a safe number
          }
        }),
      );
      assert.ok(!(result instanceof Error), String(result));
    });

    it("random damage to headers, symbol tables and DWARF: only the reader's own errors, in bounded time", () => {
      const source = join(work, 'fuzzed.c');
      const program = join(work, 'fuzzed');
      writeFileSync(source, 'static int helper(int x) { return x * 3; }\nint main(int argc, char **argv) { (void)argv; return helper(argc) == 7; }\n');
      assert.equal(spawnSync('gcc', ['-O2', '-g', '-o', program, source]).status, 0);
      const original = readFileSync(program);
      const regions = withElf(program, (elf) =>
        elf.sections
          .filter((s) => /^\.(symtab|strtab|dynsym|debug_info|debug_abbrev|debug_rnglists|debug_str)$/.test(s.name))
          .map((s) => [s.offset, s.size] as const),
      );
      regions.push([0, 64], [Number(original.readBigUInt64LE(0x28)), original.readUInt16LE(0x3c) * 64]);
      let seed = 0x2545f491;
      const random = (n: number): number => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 0) % n;
      };
      const started = Date.now();
      const path = join(work, 'fuzzed-copy');
      for (let round = 0; round < 300; round++) {
        const bytes = Buffer.from(original);
        for (let i = 0; i < 12; i++) {
          const [offset, size] = regions[random(regions.length)]!;
          if (size > 0) bytes[offset + random(size)] = random(256);
        }
        writeFileSync(path, bytes);
        readAll(path);
      }
      assert.ok(Date.now() - started < 30_000, `${Date.now() - started} ms for 300 damaged files`);
    });

    it('a FIFO, a device and a directory are refused without blocking; a link to a library is followed', () => {
      const fifo = join(work, 'planted.fifo');
      assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
      for (const path of [fifo, '/dev/zero', work]) {
        const result = readAll(path);
        assert.ok(result instanceof UntrustedFileError, `${path}: ${String(result)}`);
      }
      assert.equal(namesAt(fifo, '00', '0x1000'), undefined);
      const link = join(work, 'libc-link.so');
      spawnSync('ln', ['-s', LIBC, link]);
      const libc = readAll(link);
      assert.ok(!(libc instanceof Error) && libc.buildId === buildIdOf(LIBC), String(libc));
    });

    it('a file that shrinks after the reader opened it is refused, not read past its end', () => {
      const path = join(work, 'shrinking');
      copyFileSync(PROGRAM, path);
      const elf = ElfFile.open(path);
      try {
        writeFileSync(path, readFileSync(PROGRAM).subarray(0, 4096));
        let thrown: unknown;
        try {
          FunctionSymbols.read(elf);
        } catch (err) {
          thrown = err;
        }
        assert.ok(thrown === undefined || thrown instanceof ElfFormatError, String(thrown));
      } finally {
        elf.close();
      }
    });
  });
});
