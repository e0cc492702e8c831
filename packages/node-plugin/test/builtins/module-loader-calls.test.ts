import { strict as assert } from 'node:assert';
import { isLoaderRead, isLoaderRealpath, noteLoaderRealpath } from '../../src/builtins/module-loader-calls.js';
import { fsFacts } from '../../src/builtins/facts.js';

describe("builtins: calls of Node's module loader", () => {
  it("recognises the loader's realpath by its cache option and then its one read of that path", () => {
    assert.equal(isLoaderRealpath(['/a/x.js', { [Symbol('realpathCacheKey')]: new Map() }]), true);
    assert.equal(isLoaderRealpath(['/a/x.js', { encoding: 'utf8' }]), false);
    assert.equal(isLoaderRealpath(['/a/x.js']), false);
    noteLoaderRealpath('/a/x.js');
    assert.equal(isLoaderRead(['/a/x.js', { encoding: 'utf8' }]), false, "not the loader's call shape");
    assert.equal(isLoaderRead(['/a/x.js', 'utf8']), true);
    assert.equal(isLoaderRead(['/a/x.js', 'utf8']), false, "a later read of the same file is the application's");
  });

  it('flags a world-writable mode only where the open may create the file', () => {
    assert.equal(fsFacts(['/etc/hostname', 'r', 0o666], 'openSync').flags, undefined);
    assert.deepEqual(fsFacts(['/tmp/new', 'w', 0o666], 'openSync').flags, ['world_writable']);
  });
});
