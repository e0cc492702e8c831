// A floor for bench/node-startup.mjs: module.register() with hooks that only pass every resolve
// and load on. On Node 20 each ES module then costs round trips to the hooks thread, whatever
// the hooks do; the plugin and IITM both pay this.
import { register } from 'node:module';

register('data:text/javascript,export async function resolve(s, c, next) { return next(s, c); } export async function load(u, c, next) { return next(u, c); }');
