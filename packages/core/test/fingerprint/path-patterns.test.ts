import { strict as assert } from 'node:assert';
import { endpointPattern, pathPattern, tempTemplatePrefix, textPattern } from '../../src/fingerprint/path-patterns.js';

const context = { cwd: '/srv/app', pids: new Set([4242, 31337]) };

describe('path patterns', () => {
  it('the working directory and home directories', () => {
    assert.equal(pathPattern('/srv/app/data/users.json', context), '<cwd>/data/users.json');
    assert.equal(pathPattern('/srv/application/x', context), '/srv/application/x');
    assert.equal(pathPattern('/root/.npmrc', context), '~/.npmrc');
    assert.equal(pathPattern('/home/alice/.config/app.toml', context), '~/.config/app.toml');
  });

  it('pids of the run, /proc/<pid> and task ids, but not small numbers', () => {
    assert.equal(pathPattern('/tmp/x-4242.lock', context), '/tmp/x-<pid>.lock');
    assert.equal(pathPattern('/proc/31337/status', context), '/proc/<pid>/status');
    assert.equal(pathPattern('/proc/self/task/31338/comm', context), '/proc/self/task/<tid>/comm');
    assert.equal(pathPattern('/var/lib/app/v2/1', { cwd: '/', pids: new Set([1, 2]) }), '/var/lib/app/v2/1');
  });

  it('random parts of temporary names, but not ordinary words', () => {
    assert.equal(pathPattern('/tmp/apitrace-fp-Ab3dEf/run/x.db', context), '/tmp/apitrace-fp-<random>/run/x.db');
    assert.equal(pathPattern('/tmp/tmp.6Afq1rl5a8', context), '/tmp/tmp.<random>');
    assert.equal(pathPattern('/tmp/tmpk3j_x9a2/f', context), '/tmp/tmp<random>/f');
    assert.equal(pathPattern('/tmp/receipts/summary.txt', context), '/tmp/receipts/summary.txt');
    assert.equal(pathPattern('/etc/sqlite3/abcdef12', context), '/etc/sqlite3/abcdef12');
  });

  it('what a recorded mkdtemp/mkstemp template was completed with, even when it reads as a word', () => {
    const templated = { ...context, tempTemplates: [tempTemplatePrefix('/tmp/drift-app-'), tempTemplatePrefix('/srv/app/.cache/x.XXXXXX')] };
    // one in about a hundred of mkdtemp's names is all lower case: the shape alone keeps it
    assert.equal(pathPattern('/tmp/drift-app-kuihbp/receipt.txt', context), '/tmp/drift-app-kuihbp/receipt.txt');
    assert.equal(pathPattern('/tmp/drift-app-kuihbp/receipt.txt', templated), '/tmp/drift-app-<random>/receipt.txt');
    assert.equal(pathPattern('/tmp/drift-app-Ab3dEf', templated), '/tmp/drift-app-<random>');
    assert.equal(pathPattern('/srv/app/.cache/x.abcdef', templated), '<cwd>/.cache/x.<random>');
    // the template itself, and names that do not continue it with a random part, stay
    assert.equal(pathPattern('/tmp/drift-app-', templated), '/tmp/drift-app-');
    assert.equal(pathPattern('/tmp/drift-app-a/b', templated), '/tmp/drift-app-a/b');
  });

  it('hashes, UUIDs, dates and Unix times', () => {
    assert.equal(pathPattern('/var/cache/t/2decb41de6c1fe41d03fb7b0c80cd1f6.js', context), '/var/cache/t/<hash>.js');
    assert.equal(pathPattern('/run/x/123e4567-e89b-12d3-a456-426614174000.sock', context), '/run/x/<uuid>.sock');
    assert.equal(pathPattern('/var/log/app-2026-11-28.log', context), '/var/log/app-<date>.log');
    assert.equal(pathPattern('/var/log/app-20261128.log', context), '/var/log/app-<date>.log');
    assert.equal(pathPattern('/var/cache/page-1732812345123.html', context), '/var/cache/page-<time>.html');
  });

  it('paths inside command lines, quoted or redirected; URLs stay', () => {
    assert.equal(textPattern("wc -l < '/srv/app/data/users.json'", context), "wc -l < '<cwd>/data/users.json'");
    assert.equal(textPattern('ls /tmp/drift-Ab3dEf > /dev/null', context), 'ls /tmp/drift-<random> > /dev/null');
    assert.equal(textPattern('curl http://example.test/a/b', context), 'curl http://example.test/a/b');
  });

  it('ports the system picked become <ephemeral>; fixed ports stay', () => {
    assert.equal(endpointPattern('127.0.0.1:43567'), '127.0.0.1:<ephemeral>');
    assert.equal(endpointPattern('[::1]:5432'), '[::1]:5432');
    assert.equal(endpointPattern('db.internal:443'), 'db.internal:443');
    assert.equal(endpointPattern('localhost'), 'localhost');
  });
});
