import { strict as assert } from 'node:assert';
import type { PluginArtifact, PluginName } from '../../src/own/plugin-artifacts.js';
import { injectPlugins } from '../../src/launcher/plugin-environment.js';

function plugins(paths: Partial<Record<PluginName, string>> = {}, missing: PluginName[] = []): Record<PluginName, PluginArtifact> {
  const make = (name: PluginName, title: string, path: string): PluginArtifact => ({ name, title, path, present: !missing.includes(name) });
  return {
    native: make('native', 'native shim', paths.native ?? '/opt/apitrace/libapitrace.so'),
    node: make('node', 'node plugin', paths.node ?? '/opt/apitrace/node/index.js'),
    jvm: make('jvm', 'jvm agent', paths.jvm ?? '/opt/apitrace/apitrace.jar'),
  };
}
const all = { native: true, node: true, jvm: true };

describe('injectPlugins', () => {
  it('sets APITRACE_DIR and injects all three into an empty environment', () => {
    const r = injectPlugins({ PATH: '/bin' }, '/runs/1', plugins(), all);
    assert.deepEqual(r.env, {
      PATH: '/bin',
      APITRACE_DIR: '/runs/1',
      LD_PRELOAD: '/opt/apitrace/libapitrace.so',
      NODE_OPTIONS: '--import /opt/apitrace/node/index.js',
      JAVA_TOOL_OPTIONS: '-javaagent:/opt/apitrace/apitrace.jar',
    });
    assert.deepEqual(r.states, { native: 'injected', node: 'injected', jvm: 'injected' });
    assert.deepEqual(r.notes, []);
  });

  it('prepends to LD_PRELOAD and appends to the option variables, keeping what was there', () => {
    const r = injectPlugins(
      { LD_PRELOAD: 'libfoo.so libbar.so', NODE_OPTIONS: '--max-old-space-size=100', JAVA_TOOL_OPTIONS: '-Xmx64m' },
      '/r',
      plugins(),
      all,
    );
    assert.equal(r.env['LD_PRELOAD'], '/opt/apitrace/libapitrace.so:libfoo.so:libbar.so');
    assert.equal(r.env['NODE_OPTIONS'], '--max-old-space-size=100 --import /opt/apitrace/node/index.js');
    assert.equal(r.env['JAVA_TOOL_OPTIONS'], '-Xmx64m -javaagent:/opt/apitrace/apitrace.jar');
  });

  it('does not inject twice under a nested apitrace run', () => {
    const once = injectPlugins({}, '/r', plugins(), all).env;
    const twice = injectPlugins(once, '/r2', plugins(), all).env;
    assert.deepEqual({ ...twice, APITRACE_DIR: '/r' }, once);
  });

  it('quotes option paths with spaces and refuses such a path for LD_PRELOAD', () => {
    const r = injectPlugins({}, '/r', plugins({ native: '/my dir/lib.so', node: '/my dir/i.js', jvm: '/my dir/a.jar' }), all);
    assert.equal(r.env['NODE_OPTIONS'], '--import "/my dir/i.js"');
    assert.equal(r.env['JAVA_TOOL_OPTIONS'], '"-javaagent:/my dir/a.jar"');
    assert.equal(r.env['LD_PRELOAD'], undefined);
    assert.equal(r.states.native, 'unusable');
    assert.match(r.notes[0]!, /native shim cannot be injected: .*space or colon/);
  });

  it('leaves disabled plugins out silently and says in one line which are missing', () => {
    const r = injectPlugins({}, '/r', plugins({}, ['jvm']), { native: false, node: true, jvm: true });
    assert.equal(r.env['LD_PRELOAD'], undefined);
    assert.equal(r.env['JAVA_TOOL_OPTIONS'], undefined);
    assert.deepEqual(r.states, { native: 'disabled', node: 'injected', jvm: 'missing' });
    assert.equal(r.notes.length, 1);
    assert.match(r.notes[0]!, /^apitrace: jvm agent not found at \/opt\/apitrace\/apitrace.jar; running without it/);
  });

  it('never modifies the environment it was given', () => {
    const base = { NODE_OPTIONS: '--x' };
    injectPlugins(base, '/r', plugins(), all);
    assert.deepEqual(base, { NODE_OPTIONS: '--x' });
  });
});
