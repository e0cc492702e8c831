// Decides whether a pod is injected and builds the JSON Patch that injects it: an emptyDir
// volume, an init container copying the layout from the apitrace image into it, the mounts,
// and the variables of every selected container, appended to what the container already has.
import type { PluginName } from '../own/plugin-artifacts.js';
import { containerEnvironment, type InjectedVariable } from './container-environment.js';
import { CONTAINER_LAYOUT_DIR, CONTAINER_ROOT, CONTAINER_RUNS_DIR, IMAGE_LAYOUT_DIR } from './container-paths.js';

/** Pod annotations and the namespace label users set (and the one apitrace sets). */
export const INJECT_ANNOTATION = 'apitrace.dev/inject';
export const NAMESPACE_LABEL = 'apitrace.dev/inject';
export const NAMESPACE_LABEL_VALUE = 'enabled';
export const CONTAINER_NAMES_ANNOTATION = 'apitrace.dev/container-names';
export const PLUGIN_ANNOTATIONS: Record<PluginName, string> = {
  native: 'apitrace.dev/inject-native',
  node: 'apitrace.dev/inject-node',
  jvm: 'apitrace.dev/inject-jvm',
};
export const INJECTED_ANNOTATION = 'apitrace.dev/injected';
export const VOLUME_NAME = 'apitrace';
export const INIT_CONTAINER_NAME = 'apitrace-install';

/**
 * `pod`: only pods annotated `apitrace.dev/inject: "true"`; `namespace`: the namespace opted in
 * (label `apitrace.dev/inject=enabled`), so every pod unless annotated `"false"`.
 */
export type OptInScope = 'pod' | 'namespace';

export interface InjectionSettings {
  /** image holding the layout at IMAGE_LAYOUT_DIR, run as the init container */
  image: string;
  /** the node plugin's entry relative to the layout */
  nodeEntry: string;
}

export type JsonPatchOperation = { op: 'add'; path: string; value: unknown };

export interface PodDecision {
  /** absent when the pod is left as it is */
  patch?: JsonPatchOperation[];
  /** for the user (AdmissionReview warnings): why a pod the user may expect injected is not */
  warnings: string[];
  /** one line for the server log */
  outcome: string;
}

interface EnvVar {
  name?: unknown;
  value?: unknown;
  valueFrom?: unknown;
}
interface Container {
  name?: unknown;
  env?: unknown;
  envFrom?: unknown;
  volumeMounts?: unknown;
}
type JsonObject = Record<string, unknown>;

const INJECTED_BY_VALUE: readonly InjectedVariable[] = ['LD_PRELOAD', 'NODE_OPTIONS', 'JAVA_TOOL_OPTIONS'];
const VARIABLE_OF: Record<PluginName, InjectedVariable> = { native: 'LD_PRELOAD', node: 'NODE_OPTIONS', jvm: 'JAVA_TOOL_OPTIONS' };
// DNS-1123 labels, as Kubernetes requires of container names: safe in paths and in sh.
const CONTAINER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** JSON null counts as absent: a client may send `"env": null` for no env. */
function absent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 6901: `~` and `/` inside one path segment */
function pointerSegment(text: string): string {
  return text.replaceAll('~', '~0').replaceAll('/', '~1');
}

function stringMap(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function notInjected(outcome: string, warnings: string[] = []): PodDecision {
  return { warnings, outcome };
}

function refused(why: string): PodDecision {
  return { warnings: [`apitrace: pod not injected: ${why}`], outcome: `refused: ${why}` };
}

function wantsInjection(annotations: Record<string, string>, scope: OptInScope): { inject: boolean; warning?: string } {
  const value = annotations[INJECT_ANNOTATION];
  if (value === undefined) return { inject: scope === 'namespace' };
  if (value === 'true') return { inject: true };
  if (value === 'false') return { inject: false };
  return { inject: false, warning: `apitrace: pod not injected: annotation ${INJECT_ANNOTATION} must be "true" or "false", not ${JSON.stringify(value)}` };
}

function enabledPlugins(annotations: Record<string, string>): Record<PluginName, boolean> {
  const enabled = (name: PluginName): boolean => annotations[PLUGIN_ANNOTATIONS[name]] !== 'false';
  return { native: enabled('native'), node: enabled('node'), jvm: enabled('jvm') };
}

function installCommand(containerNames: string[]): string {
  const runDirs = containerNames.map((name) => `${CONTAINER_ROOT}/runs/${name}`).join(' ');
  // 1777: the application may run as any uid; every emitter creates its files 0600.
  return `set -e; mkdir -p ${CONTAINER_ROOT}/lib; cp -R ${IMAGE_LAYOUT_DIR}/. ${CONTAINER_ROOT}/lib/; mkdir -p -m 1777 ${runDirs}`;
}

function initContainer(settings: InjectionSettings, containerNames: string[]): JsonObject {
  return {
    name: INIT_CONTAINER_NAME,
    image: settings.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['/bin/sh', '-c', installCommand(containerNames)],
    volumeMounts: [{ name: VOLUME_NAME, mountPath: CONTAINER_ROOT }],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '500m', memory: '64Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

/** The last entry of each name wins, as in the kubelet. */
function lastIndexOfVariable(env: EnvVar[], name: string): number {
  for (let i = env.length - 1; i >= 0; i--) if (env[i]!.name === name) return i;
  return -1;
}

interface ContainerPlan {
  index: number;
  name: string;
  operations: JsonPatchOperation[];
  warnings: string[];
}

function planContainer(
  container: Container,
  index: number,
  settings: InjectionSettings,
  enabled: Record<PluginName, boolean>,
): ContainerPlan | { refusal: string } {
  const name = container.name;
  if (typeof name !== 'string' || !CONTAINER_NAME.test(name)) return { refusal: `container ${index} has no valid name` };
  if (!absent(container.env) && !Array.isArray(container.env)) return { refusal: `container ${name}: env is not a list` };
  if (!absent(container.volumeMounts) && !Array.isArray(container.volumeMounts)) return { refusal: `container ${name}: volumeMounts is not a list` };
  const env = ((container.env as unknown[] | undefined) ?? []).map((e) => (isObject(e) ? (e as EnvVar) : {}));
  const mounts = (container.volumeMounts as unknown[] | undefined) ?? [];

  for (const plugin of Object.keys(VARIABLE_OF) as PluginName[]) {
    if (!enabled[plugin]) continue;
    const variable = VARIABLE_OF[plugin];
    const at = lastIndexOfVariable(env, variable);
    if (at >= 0 && !absent(env[at]!.valueFrom)) {
      return { refusal: `container ${name} sets ${variable} with valueFrom, which cannot be appended to` };
    }
  }
  for (const mount of mounts) {
    const path = isObject(mount) ? mount['mountPath'] : undefined;
    if (typeof path === 'string' && (path === CONTAINER_ROOT || path.startsWith(`${CONTAINER_ROOT}/`))) {
      return { refusal: `container ${name} already mounts something at ${path}` };
    }
  }

  const existing: Partial<Record<InjectedVariable, string>> = {};
  for (const variable of INJECTED_BY_VALUE) {
    const at = lastIndexOfVariable(env, variable);
    // valueFrom here means the plugin is off for this pod (checked above): nothing to compose.
    if (at >= 0 && absent(env[at]!.valueFrom)) existing[variable] = typeof env[at]!.value === 'string' ? (env[at]!.value as string) : '';
  }
  const composed = containerEnvironment(existing, { layoutDir: CONTAINER_LAYOUT_DIR, nodeEntry: settings.nodeEntry, runDir: CONTAINER_RUNS_DIR, enabled });

  const base = `/spec/containers/${index}`;
  const operations: JsonPatchOperation[] = [];
  const appended: { name: string; value: string }[] = [];
  // A user's own APITRACE_DIR (say, a mounted persistent volume) is theirs to choose.
  const ownRunDir = lastIndexOfVariable(env, 'APITRACE_DIR') >= 0;
  for (const [variable, value] of Object.entries(composed.env) as [InjectedVariable, string][]) {
    if (variable === 'APITRACE_DIR' && ownRunDir) continue;
    const at = lastIndexOfVariable(env, variable);
    if (at < 0) appended.push({ name: variable, value });
    else if (env[at]!.value !== value) operations.push({ op: 'add', path: `${base}/env/${at}/value`, value });
  }
  if (absent(container.env)) {
    if (appended.length > 0) operations.push({ op: 'add', path: `${base}/env`, value: appended });
  } else {
    for (const entry of appended) operations.push({ op: 'add', path: `${base}/env/-`, value: entry });
  }

  const newMounts = [
    { name: VOLUME_NAME, mountPath: CONTAINER_LAYOUT_DIR, subPath: 'lib', readOnly: true },
    { name: VOLUME_NAME, mountPath: CONTAINER_RUNS_DIR, subPath: `runs/${name}` },
  ];
  if (absent(container.volumeMounts)) operations.push({ op: 'add', path: `${base}/volumeMounts`, value: newMounts });
  else for (const mount of newMounts) operations.push({ op: 'add', path: `${base}/volumeMounts/-`, value: mount });

  const warnings =
    Array.isArray(container.envFrom) && container.envFrom.length > 0
      ? [`apitrace: container ${name} uses envFrom: LD_PRELOAD, NODE_OPTIONS or JAVA_TOOL_OPTIONS set there are replaced`]
      : [];
  return { index, name, operations, warnings: [...warnings, ...composed.notes] };
}

/** What to do with one pod being created. Never throws for any JSON input. */
export function decidePodInjection(pod: unknown, scope: OptInScope, settings: InjectionSettings): PodDecision {
  if (!isObject(pod)) return refused('the request holds no pod object');
  const metadata = pod['metadata'];
  if (!absent(metadata) && !isObject(metadata)) return refused('metadata is not an object');
  const annotations = stringMap(metadata?.['annotations']);

  const wanted = wantsInjection(annotations, scope);
  if (!wanted.inject) return notInjected(wanted.warning ? 'refused: bad annotation' : 'not opted in', wanted.warning ? [wanted.warning] : []);

  const spec = pod['spec'];
  if (!isObject(spec)) return refused('the pod has no spec');
  const initContainers = spec['initContainers'];
  const volumes = spec['volumes'];
  const containers = spec['containers'];
  if (!absent(initContainers) && !Array.isArray(initContainers)) return refused('spec.initContainers is not a list');
  if (!absent(volumes) && !Array.isArray(volumes)) return refused('spec.volumes is not a list');
  if (!Array.isArray(containers) || containers.length === 0) return refused('the pod has no containers');

  const hasInit = (initContainers ?? []).some((c: unknown) => isObject(c) && c['name'] === INIT_CONTAINER_NAME);
  if (annotations[INJECTED_ANNOTATION] !== undefined || hasInit) return notInjected('already injected');
  if ((volumes ?? []).some((v: unknown) => isObject(v) && v['name'] === VOLUME_NAME)) {
    return refused(`the pod already has a volume named ${VOLUME_NAME}`);
  }

  const enabled = enabledPlugins(annotations);
  if (!enabled.native && !enabled.node && !enabled.jvm) return notInjected('every plugin turned off by annotation');

  const warnings: string[] = [];
  let selected = containers.map((c: unknown, index: number) => ({ container: (isObject(c) ? c : {}) as Container, index }));
  const names = annotations[CONTAINER_NAMES_ANNOTATION];
  if (names !== undefined) {
    const wantedNames = names
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    for (const n of wantedNames) {
      if (!selected.some((s) => s.container.name === n))
        warnings.push(`apitrace: ${CONTAINER_NAMES_ANNOTATION} names ${n}, which the pod has no container called`);
    }
    selected = selected.filter((s) => wantedNames.includes(s.container.name as string));
    if (selected.length === 0) return notInjected('no container selected', [...warnings, 'apitrace: pod not injected: no container selected']);
  }

  const plans: ContainerPlan[] = [];
  for (const { container, index } of selected) {
    const plan = planContainer(container, index, settings, enabled);
    if ('refusal' in plan) return refused(plan.refusal);
    plans.push(plan);
  }

  const patch: JsonPatchOperation[] = [];
  if (absent(metadata)) patch.push({ op: 'add', path: '/metadata', value: { annotations: { [INJECTED_ANNOTATION]: 'true' } } });
  else if (!isObject(metadata['annotations'])) patch.push({ op: 'add', path: '/metadata/annotations', value: { [INJECTED_ANNOTATION]: 'true' } });
  else patch.push({ op: 'add', path: `/metadata/annotations/${pointerSegment(INJECTED_ANNOTATION)}`, value: 'true' });

  const volume = { name: VOLUME_NAME, emptyDir: {} };
  patch.push(absent(volumes) ? { op: 'add', path: '/spec/volumes', value: [volume] } : { op: 'add', path: '/spec/volumes/-', value: volume });
  const init = initContainer(
    settings,
    plans.map((p) => p.name),
  );
  patch.push(absent(initContainers) ? { op: 'add', path: '/spec/initContainers', value: [init] } : { op: 'add', path: '/spec/initContainers/-', value: init });
  for (const plan of plans) {
    patch.push(...plan.operations);
    warnings.push(...plan.warnings);
  }
  return { patch, warnings, outcome: `injected into ${plans.map((p) => p.name).join(', ')}` };
}
