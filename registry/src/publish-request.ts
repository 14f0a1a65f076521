// Turns the body of `PUT /:pkg` (what libnpmpublish sends: the new version's
// manifest, its dist-tags and the tarball as a base64 `_attachments` entry)
// into a checked PublishRequest. Only shape and transport integrity here; what
// is inside the tarball is publish.ts's business.
import { PlexusError } from '@plexus/plugin-sdk';
import semver from 'semver';
import { verifyIntegrity, verifyShasum } from './integrity.ts';
import type { Dist } from './packument.ts';

export interface PublishRequest {
  name: string;
  version: string;
  /** The version manifest as the client sent it (npm's normalized package.json plus `dist`). */
  manifest: Record<string, unknown> & { dist: Partial<Dist> };
  tags: string[];
  tarball: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function parsePublishBody(name: string, body: unknown, maxTarballBytes: number): PublishRequest {
  const doc = asObject(body, 'The request body');
  if (doc.name !== name) invalid(`The body names package "${String(doc.name)}" but the URL names "${name}"`);
  if (doc._attachments === undefined) {
    invalid('The request has no _attachments: this registry accepts new versions from `npm publish` only here (no deprecate or unpublish; `npm owner` changes maintainers)');
  }
  const [version, manifest] = singleEntry(asObject(doc.versions, '"versions"'), '"versions"');
  if (semver.valid(version) !== version) invalid(`"${version}" is not a valid semver version`);
  const versionManifest = asObject(manifest, `versions["${version}"]`);
  if (versionManifest.name !== name || versionManifest.version !== version) {
    invalid(`versions["${version}"] must have name "${name}" and version "${version}"`);
  }
  const tags = parseTags(doc['dist-tags'], version);
  const tarball = decodeAttachment(asObject(doc._attachments, '"_attachments"'), name, version, maxTarballBytes);
  const dist = asObject(versionManifest.dist, `versions["${version}"].dist`);
  if (typeof dist.integrity !== 'string') invalid(`versions["${version}"].dist.integrity is required (an SRI hash of the tarball)`);
  verifyIntegrity(tarball, dist.integrity);
  if (dist.shasum !== undefined) verifyShasum(tarball, String(dist.shasum));
  return { name, version, manifest: { ...versionManifest, dist }, tags, tarball };
}

function parseTags(value: unknown, version: string): string[] {
  if (value === undefined) return ['latest'];
  const entries = Object.entries(asObject(value, '"dist-tags"'));
  for (const [tag, target] of entries) {
    if (target !== version) invalid(`dist-tags["${tag}"] must point at the version being published (${version}), not ${String(target)}`);
  }
  return entries.map(([tag]) => tag);
}

function decodeAttachment(attachments: Record<string, unknown>, name: string, version: string, maxBytes: number): Buffer {
  const [key, value] = singleEntry(attachments, '"_attachments"');
  const expected = `${name}-${version}.tgz`;
  if (key !== expected) invalid(`The attachment must be named "${expected}", not "${key}"`);
  const attachment = asObject(value, `_attachments["${key}"]`);
  if (typeof attachment.data !== 'string' || !BASE64.test(attachment.data)) invalid(`_attachments["${key}"].data must be the base64 tarball`);
  // Checked before decoding so an oversized upload is not copied once more in memory.
  if (Math.floor((attachment.data.length * 3) / 4) > maxBytes + 2) {
    throw new PlexusError('PLEXUS_PAYLOAD_TOO_LARGE', `The tarball is larger than this registry's limit of ${maxBytes} bytes`);
  }
  const bytes = Buffer.from(attachment.data, 'base64');
  if (bytes.length > maxBytes) throw new PlexusError('PLEXUS_PAYLOAD_TOO_LARGE', `The tarball is ${bytes.length} bytes; the limit is ${maxBytes}`);
  if (attachment.length !== bytes.length) {
    throw new PlexusError(
      'PLEXUS_INTEGRITY_MISMATCH',
      `The attachment's declared length (${String(attachment.length)}) does not match its data (${bytes.length} bytes)`,
    );
  }
  return bytes;
}

function singleEntry(value: Record<string, unknown>, what: string): [string, unknown] {
  const entries = Object.entries(value);
  if (entries.length !== 1) invalid(`${what} must hold exactly one entry (one version per publish), found ${entries.length}`);
  return entries[0]!;
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

function invalid(message: string): never {
  throw new PlexusError('PLEXUS_INVALID_REQUEST', message);
}
