// The anchor of bench/node-startup.mjs: import-in-the-middle with no include list, i.e. a facade
// in front of every ES module, and a hook that sees every namespace.
import { register } from 'node:module';
import { Hook } from 'import-in-the-middle';

register('import-in-the-middle/hook.mjs', import.meta.url);
Hook((exported) => exported);
