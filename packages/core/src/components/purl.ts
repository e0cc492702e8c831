// Package URLs for components. packageurl-js builds them; on top of it, `+` in a version is
// percent-encoded as `%2B` (purl spec: `+` is not a safe character there, and scanners read a
// bare `+` as a space), which packageurl-js 2 leaves as is.
import { PackageURL } from 'packageurl-js';

function encodePlusInVersion(purl: string): string {
  const at = purl.lastIndexOf('@');
  if (at === -1) return purl;
  const end = purl.slice(at).search(/[?#]/);
  const stop = end === -1 ? purl.length : at + end;
  return purl.slice(0, at) + purl.slice(at, stop).replaceAll('+', '%2B') + purl.slice(stop);
}

export function npmPurl(name: string, version: string | undefined): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const namespace = slash === -1 ? undefined : name.slice(0, slash);
  const local = slash === -1 ? name : name.slice(slash + 1);
  return encodePlusInVersion(new PackageURL('npm', namespace, local, version).toString());
}

export function mavenPurl(group: string, artifact: string, version: string | undefined, classifier?: string): string {
  return encodePlusInVersion(new PackageURL('maven', group, artifact, version, classifier ? { classifier } : undefined).toString());
}

export function debianPurl(distro: string, pkg: string, version: string, arch: string): string {
  return encodePlusInVersion(new PackageURL('deb', distro, pkg, version, { arch }).toString());
}

export function genericPurl(name: string, version: string | undefined, sha256?: string): string {
  const qualifiers = sha256 ? { checksum: `sha256:${sha256}` } : undefined;
  return encodePlusInVersion(new PackageURL('generic', undefined, name, version, qualifiers).toString());
}
