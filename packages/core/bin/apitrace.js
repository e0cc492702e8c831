#!/usr/bin/env node
// Committed entry so the bin link exists before the first build; the CLI itself is compiled TypeScript.
import { setFlagsFromString } from 'node:v8';
import { main } from '../dist/src/cli/main.js';

// Reading a run makes garbage that lives a little while (a process's spans, each chunk's lines).
// Left to V8's default growth (up to 4x past the last full collection) a 10-million-record
// analysis grew to about 500 MB with under 100 MB live; at 1.5x it stays near 250 MB for about 3%
// more CPU (docs/performance.md, Analysis). Set here, in apitrace's own process, not in the
// library, so that a program embedding @apitrace/core keeps its own heap settings.
setFlagsFromString('--heap-growing-percent=50');

// Without a listener, SIGUSR1 opens Node's inspector: anyone allowed to signal the launcher or
// the webhook could then run code in it. apitrace never asks for it; `node --inspect` still works.
process.on('SIGUSR1', () => {});

process.exitCode = await main(process.argv.slice(2));
