import { strict as assert } from 'node:assert';
import { decidePodInjection, type JsonPatchOperation } from '../../src/deploy/pod-injection.js';

const settings = { image: 'layout:1', nodeEntry: 'node/dist/src/index.js' };

function pod(containers: unknown[], annotations: Record<string, string> = { 'apitrace.dev/inject': 'true' }): unknown {
  return { metadata: { annotations }, spec: { containers } };
}

function opsFor(patch: JsonPatchOperation[] | undefined, prefix: string): JsonPatchOperation[] {
  return (patch ?? []).filter((op) => op.path.startsWith(prefix));
}

describe('decidePodInjection', () => {
  it('warns about names in apitrace.dev/container-names that match no container, and injects the rest', () => {
    const d = decidePodInjection(
      pod([{ name: 'a' }, { name: 'b' }], { 'apitrace.dev/inject': 'true', 'apitrace.dev/container-names': 'b,c' }),
      'pod',
      settings,
    );
    assert.deepEqual(d.warnings, ['apitrace: apitrace.dev/container-names names c, which the pod has no container called']);
    assert.equal(d.outcome, 'injected into b');
    assert.deepEqual(opsFor(d.patch, '/spec/containers/0'), []);

    const none = decidePodInjection(pod([{ name: 'a' }], { 'apitrace.dev/inject': 'true', 'apitrace.dev/container-names': 'z' }), 'pod', settings);
    assert.equal(none.patch, undefined);
    assert.equal(none.warnings.at(-1), 'apitrace: pod not injected: no container selected');
  });

  it("keeps a container's own APITRACE_DIR and says that envFrom variables are replaced", () => {
    const d = decidePodInjection(
      pod([{ name: 'a', env: [{ name: 'APITRACE_DIR', value: '/pvc/runs' }], envFrom: [{ configMapRef: { name: 'cm' } }] }]),
      'pod',
      settings,
    );
    assert.deepEqual(d.warnings, ['apitrace: container a uses envFrom: LD_PRELOAD, NODE_OPTIONS or JAVA_TOOL_OPTIONS set there are replaced']);
    const env = opsFor(d.patch, '/spec/containers/0/env');
    assert.deepEqual(
      env.map((op) => (op.value as { name: string }).name),
      ['LD_PRELOAD', 'NODE_OPTIONS', 'JAVA_TOOL_OPTIONS'],
    );
  });

  it('leaves a pod alone when every plugin is turned off, or a container already mounts under /apitrace', () => {
    const off = {
      'apitrace.dev/inject': 'true',
      'apitrace.dev/inject-native': 'false',
      'apitrace.dev/inject-node': 'false',
      'apitrace.dev/inject-jvm': 'false',
    };
    assert.equal(decidePodInjection(pod([{ name: 'a' }], off), 'pod', settings).patch, undefined);
    const mounted = decidePodInjection(pod([{ name: 'a', volumeMounts: [{ name: 'x', mountPath: '/apitrace/runs' }] }]), 'pod', settings);
    assert.equal(mounted.patch, undefined);
    assert.deepEqual(mounted.warnings, ['apitrace: pod not injected: container a already mounts something at /apitrace/runs']);
  });

  it('escapes the annotation key in its JSON pointer', () => {
    const d = decidePodInjection(pod([{ name: 'a' }]), 'pod', settings);
    assert.deepEqual(d.patch![0], { op: 'add', path: '/metadata/annotations/apitrace.dev~1injected', value: 'true' });
  });

  it('takes JSON nulls for absent lists', () => {
    const d = decidePodInjection(
      { metadata: null, spec: { volumes: null, initContainers: null, containers: [{ name: 'a', env: null, volumeMounts: null }] } },
      'namespace',
      settings,
    );
    assert.deepEqual(d.warnings, []);
    assert.deepEqual(
      d.patch!.map((op) => op.path),
      ['/metadata', '/spec/volumes', '/spec/initContainers', '/spec/containers/0/env', '/spec/containers/0/volumeMounts'],
    );
  });
});
