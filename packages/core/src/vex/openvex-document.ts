// OpenVEX 0.2.0 JSON from the verdicts. Each statement's product is the package itself (its
// purl, version included), which is how trivy matches statements to the packages it found; with
// a product given (`--product`, an image's `pkg:oci/...`, which is what grype matches an image
// scan on) the package becomes that product's subcomponent. Deterministic: statements come sorted (verdicts.ts), the document time is the end of the
// observation window (never "now"), and the document id is derived from the content.
import { createHash } from 'node:crypto';
import type { ObservationWindow } from './observation.js';
import type { Verdict } from './verdicts.js';
import { actionText, verdictDetail } from './verdict-text.js';
import { TOOL_NAME, TOOL_VERSION, uuidFrom } from '../sbom/run-facts.js';

export const OPENVEX_CONTEXT = 'https://openvex.dev/ns/v0.2.0';

type Json = Record<string, unknown>;

/** The time a VEX document speaks for: the end of the window, else its start, else the epoch. */
export function vexTime(window: ObservationWindow): string {
  const text = window.end ?? window.start;
  const t = text === undefined ? 0 : Date.parse(text);
  return new Date(Number.isNaN(t) ? 0 : t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface OpenVexOptions {
  /** the product the packages are part of (an IRI: a purl such as pkg:oci/app@sha256:...) */
  product?: string;
}

function statementOf(v: Verdict, window: ObservationWindow, options: OpenVexOptions): Json {
  const detail = verdictDetail(v, window);
  const vulnerability: Json = {
    name: v.advisory.id,
    ...(v.advisory.summary ? { description: v.advisory.summary } : {}),
    ...(v.advisory.aliases.length > 0 ? { aliases: v.advisory.aliases } : {}),
  };
  const statement: Json = {
    vulnerability,
    products: [
      options.product
        ? { '@id': options.product, subcomponents: [{ '@id': v.component.purl, identifiers: { purl: v.component.purl } }] }
        : { '@id': v.component.purl, identifiers: { purl: v.component.purl } },
    ],
    status: v.status,
  };
  if (v.status === 'not_affected') {
    statement['justification'] = 'vulnerable_code_not_in_execute_path';
    statement['impact_statement'] = detail;
  } else if (v.status === 'affected') {
    statement['action_statement'] = actionText(v);
    statement['status_notes'] = detail;
  } else {
    statement['status_notes'] = detail;
  }
  return statement;
}

/** The OpenVEX JSON text of the verdicts (not yet validated). */
export function openVexJson(verdicts: readonly Verdict[], window: ObservationWindow, options: OpenVexOptions = {}): string {
  const statements = verdicts.map((v) => statementOf(v, window, options));
  const timestamp = vexTime(window);
  const digest = createHash('sha256').update(timestamp).update(JSON.stringify(statements)).digest('hex');
  const document = {
    '@context': OPENVEX_CONTEXT,
    '@id': `urn:uuid:${uuidFrom(digest)}`,
    author: TOOL_NAME,
    role: 'runtime observation',
    timestamp,
    version: 1,
    tooling: `${TOOL_NAME} ${TOOL_VERSION}`,
    statements,
  };
  return JSON.stringify(document, null, 2) + '\n';
}
