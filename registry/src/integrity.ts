// Subresource Integrity (the `dist.integrity` format) and npm's legacy sha1
// `dist.shasum`. The registry always stores hashes it computed itself; the
// client's claims are only checked, to catch a tarball damaged or swapped in transit.
import { createHash } from 'node:crypto';
import { PlexusError } from '@plexus/plugin-sdk';

const SUPPORTED = new Set(['sha512', 'sha384', 'sha256', 'sha1']);

export function sriOf(bytes: Uint8Array, algorithm = 'sha512'): string {
  return `${algorithm}-${createHash(algorithm).update(bytes).digest('base64')}`;
}

export function sha1Hex(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** `sha512-abc= sha1-def=?opt` → [{algorithm, digest}], options dropped (SRI allows `?` suffixes). */
export function parseSri(integrity: string): { algorithm: string; digest: string }[] {
  return integrity
    .trim()
    .split(/\s+/)
    .map((entry) => /^([a-z0-9]+)-([A-Za-z0-9+/]+={0,2})(?:\?.*)?$/.exec(entry))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ algorithm: m[1]!, digest: m[2]! }));
}

/** Every hash of a supported algorithm in `claimed` must match `bytes`, and there must be at least one. */
export function verifyIntegrity(bytes: Uint8Array, claimed: string): void {
  const entries = parseSri(claimed).filter((e) => SUPPORTED.has(e.algorithm));
  if (entries.length === 0) {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', `dist.integrity "${claimed}" holds no sha512/sha384/sha256/sha1 hash`);
  }
  for (const { algorithm, digest } of entries) {
    const actual = createHash(algorithm).update(bytes).digest('base64');
    if (actual !== digest) {
      throw new PlexusError(
        'PLEXUS_INTEGRITY_MISMATCH',
        `The tarball does not match dist.integrity: its ${algorithm} is ${algorithm}-${actual}, the metadata says ${algorithm}-${digest}`,
      );
    }
  }
}

export function verifyShasum(bytes: Uint8Array, claimed: string): void {
  const actual = sha1Hex(bytes);
  if (actual !== claimed.toLowerCase()) {
    throw new PlexusError('PLEXUS_INTEGRITY_MISMATCH', `The tarball does not match dist.shasum: its sha1 is ${actual}, the metadata says ${claimed}`);
  }
}
