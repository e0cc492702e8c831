// A package as an advisory names it, from a package URL: npm `@scope/name`, Maven
// `group:artifact`, Go `module/path`, Debian `name`. Advisories and components meet on
// (purl type, this name) and then compare versions.
import { PackageURL } from 'packageurl-js';

export function packageNameOfPurl(purl: PackageURL): string {
  const namespace = purl.namespace ?? undefined;
  switch (purl.type) {
    case 'maven':
      return namespace ? `${namespace}:${purl.name}` : purl.name;
    case 'npm':
    case 'golang':
      return namespace ? `${namespace}/${purl.name}` : purl.name;
    default:
      return purl.name;
  }
}

export interface PackageKey {
  type: string;
  name: string;
  version?: string;
}

/** The key of a component's purl; undefined when it has none or it cannot be read. */
export function packageKeyOf(purlText: string | undefined): PackageKey | undefined {
  if (purlText === undefined) return undefined;
  try {
    const purl = PackageURL.fromString(purlText);
    return { type: purl.type, name: packageNameOfPurl(purl), ...(purl.version ? { version: purl.version } : {}) };
  } catch {
    return undefined;
  }
}

/** `type\0name`: a map key. */
export const packageKeyText = (type: string, name: string): string => `${type}\0${name}`;
