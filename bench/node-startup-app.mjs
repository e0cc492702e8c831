// The start-up workload of bench/node-startup.mjs: all of date-fns as ES modules (about 300
// files) and a large CommonJS tree (express, fastify, yargs, joi, moment, lodash, rxjs, pg).
import { createRequire } from 'node:module';
import * as dateFns from 'date-fns';

const require = createRequire(import.meta.url);
const cjs = ['express', 'fastify', 'yargs', 'joi', 'moment', 'lodash', 'rxjs', 'pg'].map((name) => require(name));
console.log(Object.keys(dateFns).length, cjs.length, dateFns.format(new Date(2020, 0, 2), 'yyyy-MM-dd'));
