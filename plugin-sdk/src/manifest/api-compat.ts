import semver from 'semver';
import { PlexusError } from '../errors.ts';
import { HOST_API_VERSION } from '../plugin-api.ts';

/** Refuses a plugin whose `apiVersion` range does not accept the host API version. */
export function assertApiCompatible(name: string, range: string, hostApiVersion: string = HOST_API_VERSION): void {
  if (!semver.satisfies(hostApiVersion, range, { includePrerelease: true })) {
    throw new PlexusError(
      'PLEXUS_INCOMPATIBLE_API',
      `${name} needs host API ${range}; this host provides ${hostApiVersion}`,
      { details: { plugin: name, apiVersion: range, hostApiVersion } },
    );
  }
}

export function isApiCompatible(range: string, hostApiVersion: string = HOST_API_VERSION): boolean {
  return semver.validRange(range) !== null && semver.satisfies(hostApiVersion, range, { includePrerelease: true });
}
