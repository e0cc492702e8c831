#!/usr/bin/env node
// Committed entry so the bin link exists before the first build; the CLI itself is compiled TypeScript.
import { main } from '../dist/src/cli/main.js';

// Without a listener, SIGUSR1 opens Node's inspector: anyone allowed to signal the launcher or
// the webhook could then run code in it. apitrace never asks for it; `node --inspect` still works.
process.on('SIGUSR1', () => {});

process.exitCode = await main(process.argv.slice(2));
