import { strict as assert } from 'node:assert';
import { ASYNC_WINDOW_NS, mergeNativeIntoSpan, SpanIndex, type LanguageSpan } from '../../src/merge/native-into-spans.js';

function span(fields: Partial<LanguageSpan>): LanguageSpan {
  return {
    pid: 10,
    tid: 10,
    t0: 100,
    t1: 200,
    async: false,
    api: 'node:fs.readFileSync',
    source: 'node',
    frames: [{ lang: 'js', fn: 'readConfig', file: '/app/config.js', line: 3, unit: '/app' }],
    truncated: false,
    matches: [],
    ...fields,
  };
}

describe('SpanIndex (merge of native events under language spans)', () => {
  it('joins a native call on the same (pid, tid) inside [t0, t1] to the innermost span, exactly', () => {
    const index = new SpanIndex();
    const outer = span({ api: 'node:outer', t0: 100, t1: 500 });
    const inner = span({ api: 'node:fs.readFileSync', t0: 150, t1: 200 });
    index.add(inner);
    index.add(outer);
    assert.equal(index.join({ pid: 10, tid: 10, t: 170, api: 'libc:openat' }).span, inner);
    assert.equal(index.join({ pid: 10, tid: 10, t: 300, api: 'libc:openat' }).span, outer);
    assert.equal(index.join({ pid: 10, tid: 10, t: 170, api: 'libc:openat' }).rule, 'exact');
    // outside every span, another thread with no shared argument, another pid: nothing
    assert.equal(index.join({ pid: 10, tid: 10, t: 99, api: 'libc:openat' }).rule, 'none');
    assert.equal(index.join({ pid: 10, tid: 11, t: 170, api: 'libc:openat' }).rule, 'none');
    assert.equal(index.join({ pid: 11, tid: 10, t: 170, api: 'libc:openat' }).rule, 'none');
  });

  it('infers a join on another thread by a shared path inside the span window, async spans staying open', () => {
    const index = new SpanIndex();
    const readFile = span({ api: 'node:fs.readFile', async: true, t0: 100, t1: 120, matches: [['path', '/etc/hostname']] });
    index.add(readFile);
    const onPool = { pid: 10, tid: 12, t: 5000, api: 'libc:openat', args: { path: '/etc/hostname' } };
    const joined = index.join(onPool);
    assert.equal(joined.span, readFile);
    assert.equal(joined.rule, 'inferred');
    assert.equal(joined.matchedOn, 'path');
    assert.equal(index.join({ ...onPool, args: { path: '/etc/passwd' } }).rule, 'none');
    assert.equal(index.join({ ...onPool, t: 120 + ASYNC_WINDOW_NS + 1 }).rule, 'none');
    // a blocking span's window ends at t1
    const index2 = new SpanIndex();
    index2.add(span({ t0: 100, t1: 120, matches: [['path', '/x']] }));
    assert.equal(index2.join({ pid: 10, tid: 12, t: 121, api: 'libc:openat', args: { path: '/x' } }).rule, 'none');
    assert.equal(index2.join({ pid: 10, tid: 12, t: 110, api: 'libc:openat', args: { path: '/x' } }).rule, 'inferred');
  });

  it('builds the merged stack innermost first: native call, its library, the language API, the language frames', () => {
    const s = span({});
    const merged = mergeNativeIntoSpan({ pid: 10, tid: 10, t: 150, api: 'libc:openat', caller: '/usr/bin/node' }, { span: s, rule: 'exact' });
    assert.deepEqual(
      merged.frames.map((f) => `${f.lang}:${f.fn}`),
      ['native:openat', 'native:?', 'js:fs.readFileSync', 'js:readConfig'],
    );
    assert.equal(merged.join, 'exact');
    assert.equal(merged.spanApi, 'node:fs.readFileSync');
    assert.equal(mergeNativeIntoSpan({ pid: 10, t: 1, api: 'libc:open' }, { rule: 'none' }).join, 'none');
  });
});
