// SPDX 2.3 JSON from the application model: one package per component (purl as an external
// reference, sha256 as a checksum), the usage state and counts as an annotation, and
// relationships DESCRIBES, DEPENDS_ON (package.json, Maven, runtime) and DYNAMIC_LINK
// (DT_NEEDED). Ids are derived from the component refs, the time is the run's: same run,
// same bytes. Validated by spdx-validator.ts against the official 2.3 schema.
import { createHash } from 'node:crypto';
import type { AppModel, Component, DependencyEdge } from '../../model/app-model.js';
import {
  applicationName,
  contentDigest,
  describedApplication,
  documentTime,
  runCommandLine,
  stackLines,
  TOOL_NAME,
  TOOL_VERSION,
  uuidFrom,
  wallClockOf,
} from '../run-facts.js';

const NAMESPACE_BASE = 'https://apitrace.dev/spdxdocs';
const TOOL = `Tool: ${TOOL_NAME}-${TOOL_VERSION}`;

type Json = Record<string, unknown>;

/** SPDXRef-<kind>-<name>-<hash of ref>: readable, unique, and stable for the same component. */
export function spdxIdOf(kind: string, name: string, ref: string): string {
  const safe =
    name
      .replace(/[^A-Za-z0-9.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'x';
  return `SPDXRef-${kind}-${safe}-${createHash('sha256').update(ref).digest('hex').slice(0, 10)}`;
}

function purpose(c: Component): string {
  if (c.kind === 'application') return 'APPLICATION';
  if (c.kind === 'runtime') return 'FRAMEWORK';
  return 'LIBRARY';
}

function usageComment(model: AppModel, c: Component): string {
  const parts = [
    `apitrace:usage=${c.usage}`,
    `apitrace:kind=${c.kind}`,
    `apitrace:count:loads=${c.counts.loads}`,
    `apitrace:count:api_calls=${c.counts.apiCalls}`,
    `apitrace:count:function_hits=${c.counts.functionHits}`,
  ];
  if (c.functions) parts.push(`apitrace:functions:used=${c.functions.used}`, `apitrace:functions:total=${c.functions.total}`);
  const first = wallClockOf(model, c.firstSeen);
  const last = wallClockOf(model, c.lastSeen);
  if (first) parts.push(`apitrace:first_seen=${first}`);
  if (last) parts.push(`apitrace:last_seen=${last}`);
  parts.push(`apitrace:identified_by=${c.identifiedBy}`);
  return parts.join('\n');
}

function packageOf(model: AppModel, c: Component, spdxId: string, created: string): Json {
  const annotations: Json[] = [{ annotationDate: created, annotationType: 'OTHER', annotator: TOOL, comment: usageComment(model, c) }];
  if (c.firstUseStack) {
    annotations.push({
      annotationDate: created,
      annotationType: 'OTHER',
      annotator: TOOL,
      comment: `apitrace:first_use_stack (join ${c.firstUseStack.join})\n${stackLines(c.firstUseStack).join('\n')}`,
    });
  }
  return {
    SPDXID: spdxId,
    name: c.group && c.kind === 'maven' ? `${c.group}:${c.name}` : c.name,
    ...(c.version ? { versionInfo: c.version } : {}),
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    primaryPackagePurpose: purpose(c),
    ...(c.hashes?.sha256 ? { checksums: [{ algorithm: 'SHA256', checksumValue: c.hashes.sha256 }] } : {}),
    ...(c.purl ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: c.purl }] } : {}),
    ...(c.paths.length > 0 ? { sourceInfo: `seen at: ${c.paths.join(', ')}` } : {}),
    comment: `apitrace usage state: ${c.usage}`,
    annotations,
  };
}

const RELATIONSHIP: Record<DependencyEdge['kind'], string> = {
  declared: 'DEPENDS_ON',
  maven: 'DEPENDS_ON',
  runtime: 'DEPENDS_ON',
  dynamic_link: 'DYNAMIC_LINK',
};

/** The SPDX 2.3 JSON text of the model (not yet validated). */
export function spdxJson(model: AppModel): string {
  const created = documentTime(model);
  const digest = contentDigest(model);
  const appName = applicationName(model);
  const idOf = new Map<string, string>();
  for (const c of model.components) idOf.set(c.ref, spdxIdOf(c.kind === 'application' ? 'Application' : 'Package', c.name, c.ref));

  const packages: Json[] = model.components.map((c) => packageOf(model, c, idOf.get(c.ref)!, created));
  const app = describedApplication(model);
  let appId = app ? idOf.get(app.ref)! : undefined;
  if (!appId) {
    appId = spdxIdOf('Application', appName, `application:${appName}`);
    const command = runCommandLine(model);
    packages.push({
      SPDXID: appId,
      name: appName,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      primaryPackagePurpose: 'APPLICATION',
      ...(command ? { comment: `the command observed by apitrace: ${command}` } : {}),
    });
  }
  packages.sort((a, b) => ((a['SPDXID'] as string) < (b['SPDXID'] as string) ? -1 : 1));

  const relationships: Json[] = [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: appId }];
  const edges = new Set<string>();
  const relate = (from: string, type: string, to: string): void => {
    const key = `${from} ${type} ${to}`;
    if (from === to || edges.has(key)) return;
    edges.add(key);
    relationships.push({ spdxElementId: from, relationshipType: type, relatedSpdxElement: to });
  };
  for (const edge of model.dependencies) {
    const from = idOf.get(edge.from);
    const to = idOf.get(edge.to);
    if (from && to) relate(from, RELATIONSHIP[edge.kind], to);
  }
  if (!app) {
    for (const c of model.components) if (c.usage !== 'installed') relate(appId, c.kind === 'native' ? 'DYNAMIC_LINK' : 'DEPENDS_ON', idOf.get(c.ref)!);
  }
  const [describes, ...rest] = relationships;
  rest.sort((a, b) => {
    const ka = `${a['spdxElementId']} ${a['relationshipType']} ${a['relatedSpdxElement']}`;
    const kb = `${b['spdxElementId']} ${b['relationshipType']} ${b['relatedSpdxElement']}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });

  const document = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${appName} (apitrace usage-based SBOM)`,
    documentNamespace: `${NAMESPACE_BASE}/${encodeURIComponent(appName)}-${uuidFrom(digest)}`,
    creationInfo: {
      created,
      creators: [TOOL],
      comment: 'Usage-based: every package carries its observed usage state (used, loaded, installed) in an annotation.',
    },
    documentDescribes: [appId],
    packages,
    relationships: [describes, ...rest],
  };
  return JSON.stringify(document, null, 2) + '\n';
}
