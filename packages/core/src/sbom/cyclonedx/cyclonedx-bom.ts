// CycloneDX 1.6 JSON from the application model. The document is built with
// @cyclonedx/cyclonedx-library (models, normalizer with sorted lists, JSON serializer); what the
// library has no model for is added to the serialized JSON afterwards: evidence identity,
// occurrences and callstack, and service endpoints. The result is then validated against the
// official 1.6 schema (cyclonedx-validator.ts). Same run, same bytes.
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type { AppModel, Component, MergedStack, WebApiUsage } from '../../model/app-model.js';
import {
  applicationName,
  contentDigest,
  describedApplication,
  documentTime,
  runCommandLine,
  TOOL_NAME,
  TOOL_VERSION,
  uuidFrom,
  wallClockOf,
} from '../run-facts.js';

const PROPERTY_PREFIX = 'apitrace:';
/** Frames kept in evidence.callstack (the merged stack can be deep). */
const MAX_CALLSTACK_FRAMES = 64;

function componentType(c: Component): Enums.ComponentType {
  if (c.kind === 'application') return Enums.ComponentType.Application;
  if (c.kind === 'runtime') return Enums.ComponentType.Platform;
  return Enums.ComponentType.Library;
}

function properties(entries: [string, string | number | undefined][]): Models.PropertyRepository {
  const repo = new Models.PropertyRepository();
  for (const [name, value] of entries) {
    if (value !== undefined) repo.add(new Models.Property(PROPERTY_PREFIX + name, String(value)));
  }
  return repo;
}

function toLibraryComponent(model: AppModel, c: Component): Models.Component {
  const hashes = new Models.HashDictionary();
  if (c.hashes?.sha256) hashes.set(Enums.HashAlgorithm['SHA-256'], c.hashes.sha256);
  return new Models.Component(componentType(c), c.name, {
    bomRef: c.ref,
    ...(c.group ? { group: c.group } : {}),
    ...(c.version ? { version: c.version } : {}),
    ...(c.purl ? { purl: c.purl } : {}),
    hashes,
    properties: properties([
      ['usage', c.usage],
      ['kind', c.kind],
      ['identified_by', c.identifiedBy],
      ['count:loads', c.counts.loads],
      ['count:api_calls', c.counts.apiCalls],
      ['count:function_hits', c.counts.functionHits],
      ['functions:used', c.functions?.used],
      ['functions:total', c.functions?.total],
      ['first_seen', wallClockOf(model, c.firstSeen)],
      ['last_seen', wallClockOf(model, c.lastSeen)],
      ['processes', c.processes.length],
      ['debian:package', c.debian?.package],
      ['debian:architecture', c.debian?.architecture],
    ]),
  });
}

type Json = Record<string, unknown>;

/** CycloneDX `evidence.callstack` of a merged stack: the SBOM's first use and VEX's first call share it. */
export function callstackOf(stack: MergedStack): Json {
  return {
    frames: stack.frames.slice(0, MAX_CALLSTACK_FRAMES).map((f) => ({
      ...(f.component ? { package: f.component } : {}),
      module: f.unit ?? f.file ?? f.lang,
      function: f.fn,
      ...(f.line === undefined ? {} : { line: f.line }),
      ...(f.col === undefined ? {} : { column: f.col }),
      ...(f.file ? { fullFilename: f.file } : {}),
    })),
  };
}

function evidenceOf(c: Component): Json {
  const technique = c.usage === 'installed' ? 'manifest-analysis' : 'instrumentation';
  const field = c.purl ? 'purl' : 'name';
  return {
    identity: [
      {
        field,
        confidence: 1,
        concludedValue: c.purl ?? c.name,
        methods: [{ technique, confidence: 1, value: c.identifiedBy }],
      },
    ],
    ...(c.paths.length > 0 ? { occurrences: c.paths.map((location) => ({ location })) } : {}),
    ...(c.firstUseStack ? { callstack: callstackOf(c.firstUseStack) } : {}),
  };
}

interface ServiceGroup {
  ref: string;
  direction: WebApiUsage['direction'];
  host: string;
  endpoints: Set<string>;
  count: number;
  routes: WebApiUsage[];
}

function serviceGroups(model: AppModel): ServiceGroup[] {
  const groups = new Map<string, ServiceGroup>();
  for (const web of model.webApis) {
    const host = web.host ?? 'unknown';
    const key = `${web.direction}:${host}`;
    let group = groups.get(key);
    if (!group) {
      group = { ref: `service:${key}`, direction: web.direction, host, endpoints: new Set(), count: 0, routes: [] };
      groups.set(key, group);
    }
    group.endpoints.add(`${web.scheme === 'https' ? 'https' : 'http'}://${host}${web.route.startsWith('/') ? '' : '/'}${web.route}`);
    group.count += web.count;
    group.routes.push(web);
  }
  return [...groups.values()].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
}

/** The CycloneDX 1.6 JSON text of the model (not yet validated). */
export function cyclonedxJson(model: AppModel): string {
  const bom = new Models.Bom();
  const digest = contentDigest(model);
  bom.serialNumber = `urn:uuid:${uuidFrom(digest)}`;
  bom.version = 1;

  const app = describedApplication(model);
  const command = runCommandLine(model);
  const metadataComponent = app
    ? toLibraryComponent(model, app)
    : new Models.Component(Enums.ComponentType.Application, applicationName(model), {
        bomRef: `application:${applicationName(model)}`,
        ...(command ? { description: command } : {}),
      });
  bom.metadata = new Models.Metadata({
    timestamp: new Date(documentTime(model)),
    lifecycles: new Models.LifecycleRepository([Enums.LifecyclePhase.Operations]),
    tools: new Models.Tools({
      components: new Models.ComponentRepository([
        new Models.Component(Enums.ComponentType.Application, TOOL_NAME, { version: TOOL_VERSION, bomRef: `tool:${TOOL_NAME}` }),
      ]),
    }),
    component: metadataComponent,
    properties: properties([
      ['run:command', command],
      ['run:exit_status', model.run.exitStatus],
      ['run:processes', model.processes.length],
      ['run:records', model.stats.records],
      ['merge:exact', model.stats.joins.exact],
      ['merge:inferred', model.stats.joins.inferred],
    ]),
  });

  const byRef = new Map<string, Models.Component>();
  if (app) byRef.set(app.ref, metadataComponent);
  for (const c of model.components) {
    if (c === app) continue;
    const component = toLibraryComponent(model, c);
    byRef.set(c.ref, component);
    bom.components.add(component);
  }
  for (const edge of model.dependencies) {
    const from = byRef.get(edge.from);
    const to = byRef.get(edge.to);
    if (from && to) from.dependencies.add(to.bomRef);
  }
  // The application depends on what it loaded directly when nothing else says so.
  if (!app) {
    for (const c of model.components) {
      const component = byRef.get(c.ref);
      if (component && c.usage !== 'installed') metadataComponent.dependencies.add(component.bomRef);
    }
  }

  const groups = serviceGroups(model);
  for (const group of groups) {
    bom.services.add(
      new Models.Service(group.host, {
        bomRef: group.ref,
        properties: properties([
          ['web:direction', group.direction],
          ['web:count', group.count],
          ...group.routes.map((r): [string, string] => [`web:route`, `${r.method} ${r.route}${r.status === undefined ? '' : ` ${r.status}`} x${r.count}`]),
        ]),
      }),
    );
  }

  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  const document = JSON.parse(serializer.serialize(bom, { sortLists: true })) as Json;

  // What the library cannot model, added to the serialized document.
  const evidenceByRef = new Map(model.components.map((c) => [c.ref, evidenceOf(c)]));
  const addEvidence = (json: Json): void => {
    const evidence = evidenceByRef.get(json['bom-ref'] as string);
    if (evidence) json['evidence'] = evidence;
  };
  for (const json of (document['components'] as Json[] | undefined) ?? []) addEvidence(json);
  const metadata = document['metadata'] as Json;
  if (metadata['component']) addEvidence(metadata['component'] as Json);
  const endpointsByRef = new Map(groups.map((g) => [g.ref, [...g.endpoints].sort()]));
  for (const json of (document['services'] as Json[] | undefined) ?? []) {
    const endpoints = endpointsByRef.get(json['bom-ref'] as string);
    if (endpoints && endpoints.length > 0) json['endpoints'] = endpoints;
  }
  return JSON.stringify(document, null, 2) + '\n';
}
