import { strict as assert } from 'node:assert';
import { diffFingerprints, diffText, failingKinds, parseFailOn } from '../../src/diff/fingerprint-diff.js';
import type { Fingerprint } from '../../src/fingerprint/fingerprint.js';

function fingerprint(parts: Partial<Fingerprint>): Fingerprint {
  return {
    format: 'apitrace-fingerprint',
    v: 1,
    components: {},
    apis: {},
    files: {},
    network: { peers: [], listening: [], hosts: [] },
    programs: [],
    commands: [],
    webApis: { served: [], called: [] },
    ...parts,
  };
}

describe('fingerprint diff', () => {
  const base = fingerprint({
    components: { 'pkg:npm/a@1': 'used' },
    apis: { 'pkg:npm/a@1': ['node:fs.readFileSync'] },
    files: { '/etc/hosts': ['read'] },
    programs: ['/usr/bin/node'],
  });
  const head = fingerprint({
    components: { 'pkg:npm/a@1': 'used', 'pkg:npm/b@2': 'loaded' },
    apis: { 'pkg:npm/a@1': ['node:fs.readFileSync', 'node:net.connect'] },
    files: { '/etc/hosts': ['read', 'write'] },
    network: { peers: ['10.0.0.5:5432'], listening: [], hosts: [] },
    programs: ['/usr/bin/node', '/usr/bin/curl'],
  });

  it('added and removed per category, with the --fail-on kind each counts as', () => {
    const d = diffFingerprints(base, head);
    const changed = Object.fromEntries(d.categories.filter((c) => c.added.length + c.removed.length).map((c) => [c.category, c.added]));
    assert.deepEqual(changed, {
      components: ['pkg:npm/b@2'],
      apis: ['pkg:npm/a@1 node:net.connect'],
      files: ['/etc/hosts (write)'],
      'network peers': ['10.0.0.5:5432'],
      programs: ['/usr/bin/curl'],
    });
    assert.deepEqual(d.addedKinds, ['new-network', 'new-exec', 'new-component', 'new-api', 'new-file']);
    assert.deepEqual(diffFingerprints(head, base).addedKinds, []);
    assert.deepEqual(diffFingerprints(head, base).categories.find((c) => c.category === 'programs')!.removed, ['/usr/bin/curl']);
  });

  it('--fail-on names kinds, or any; unknown names are refused', () => {
    assert.deepEqual(parseFailOn('new-exec, new-file'), ['new-exec', 'new-file']);
    assert.equal(parseFailOn('any').length, 6);
    assert.throws(() => parseFailOn('new-exec,new-thing'), /unknown drift kind "new-thing"/);
    const d = diffFingerprints(base, head);
    assert.deepEqual(failingKinds(d, ['new-endpoint', 'new-exec']), ['new-exec']);
    assert.deepEqual(failingKinds(d, ['new-endpoint']), []);
  });

  it('text says when nothing drifted', () => {
    assert.match(diffText(diffFingerprints(base, base), { base: 'a', head: 'b' }), /no drift/);
    assert.match(diffText(diffFingerprints(base, head), { base: 'a', head: 'b' }), / {4}\+ \/usr\/bin\/curl\n/);
  });
});
