#!/usr/bin/env python3
"""The shim's sources in layers, bottom first: a file includes headers of its
own layer or below, its object calls (links to) functions of its own layer or
below, and no files include or call each other in a circle. A module is a .c
file with its .h (or a header alone); its place is given by LAYERS below.

Calls are read from the compiled objects (nm), so a function declared by hand
in a .c file counts as much as one declared in a header. A call to a name the
shim exports (open, malloc: the hooked API) is a call to the C library; that
it reaches our wrapper is the point of the shim, not a dependency.

usage: check_layers.py <src dir> <object dir> <libapitrace.so>
Prints the violations and exits 1, or prints one line and exits 0."""
import graphlib
import os
import re
import subprocess
import sys

LAYERS = [
    ('types and leaves', ['hook_table', 'hook_types', 'hook_api', 'call_event', 'thread_self', 'json_out',
                          'event_clock', 'redact', 'elf_dynamic', 'process_identity', 'process_umask',
                          'event_file', 'exec_env']),
    ('writer', ['http_request', 'event_writer']),
    ('records', ['event_records']),
    ('code units', ['code_units']),
    ('per-thread state', ['thread_state', 'real_symbols', 'caller_stacks']),
    ('recorder', ['recorder']),
    ('hooks', ['hook_wrappers', 'hooks_dynload', 'hooks_file', 'hooks_memory', 'hooks_network',
               'hooks_process', 'hooks_signal', 'hooks_string', 'hooks_tls']),
    ('lifecycle', ['process_lifecycle']),
]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module(file_name):
    return os.path.splitext(os.path.basename(file_name))[0]


def nm(*args):
    out = subprocess.run(['nm', '-P', *args], check=True, capture_output=True, text=True).stdout
    return [line.split()[:2] for line in out.splitlines() if line.strip()]


def main(src_dir, obj_dir, library):
    layer_of = {}
    problems = []
    for index, (_, names) in enumerate(LAYERS):
        for name in names:
            if name in layer_of:
                problems.append(f'{name} is in two layers')
            layer_of[name] = index

    sources = sorted(f for f in os.listdir(src_dir) if f.endswith(('.c', '.h', '.def')))
    modules = {module(f) for f in sources}
    problems += [f'src/{m}.*: in no layer of {os.path.basename(__file__)}' for m in sorted(modules - layer_of.keys())]
    problems += [f'{m}: in a layer but not in src/' for m in sorted(layer_of.keys() - modules)]

    # edges[a][b]: why module a depends on module b
    edges = {m: {} for m in modules}
    for f in sources:
        with open(os.path.join(src_dir, f), encoding='utf-8') as text:
            for header in INCLUDE.findall(text.read()):
                if module(header) in modules and module(header) != module(f):
                    edges[module(f)].setdefault(module(header), f'src/{f} includes {header}')

    hooked = {name for name, _ in nm('-D', '--defined-only', library)}
    owner = {}
    objects = sorted(f for f in os.listdir(obj_dir) if f.endswith('.o'))
    for o in objects:
        for name, kind in nm('--defined-only', os.path.join(obj_dir, o)):
            if kind.isupper() and name not in hooked:
                owner[name] = module(o)
    calls = 0
    for o in objects:
        for name, kind in nm('-u', os.path.join(obj_dir, o)):
            target = owner.get(name)
            if target is not None and target != module(o):
                calls += 1
                edges[module(o)].setdefault(target, f'{o[:-2]}.c uses {name}')

    for a in sorted(edges):
        for b, why in sorted(edges[a].items()):
            if a in layer_of and b in layer_of and layer_of[b] > layer_of[a]:
                problems.append(f'upward: {why} ({LAYERS[layer_of[a]][0]} -> {LAYERS[layer_of[b]][0]})')

    try:
        graphlib.TopologicalSorter({m: set(deps) for m, deps in edges.items()}).prepare()
    except graphlib.CycleError as err:
        cycle = err.args[1][::-1]  # [a, b, ..., a]: each depends on the next
        problems.append('circle: ' + '; '.join(edges[cycle[i]][cycle[i + 1]] for i in range(len(cycle) - 1)))

    if problems:
        print('\n'.join(f'check_layers: {p}' for p in problems))
        return 1
    includes = sum(len(d) for d in edges.values())
    print(f'check_layers: {len(modules)} modules in {len(LAYERS)} layers, {includes} dependencies '
          f'({calls} cross-object symbol uses), no upward one, no circle')
    return 0


if __name__ == '__main__':
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
