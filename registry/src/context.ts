// What every route of one registry instance shares. Built once per instance by
// buildRegistry, so two registries in one process never share state.
import type { FastifyRequest } from 'fastify';
import { PlexusError } from '@plexus/plugin-sdk';
import type { TokenAuth } from './auth.ts';
import type { KeyedMutex } from './keyed-mutex.ts';
import type { Writer } from './ownership.ts';
import type { PackageStore } from './storage.ts';

export interface RegistryContext {
  store: PackageStore;
  locks: KeyedMutex;
  auth: TokenAuth;
  publicUrl: string | undefined;
  maxTarballBytes: number;
  now: () => Date;
}

/** The base of absolute URLs in responses: the configured public URL, else the scheme and Host the client used. */
export function baseUrlOf(ctx: RegistryContext, request: FastifyRequest): string {
  if (ctx.publicUrl !== undefined) return ctx.publicUrl;
  if (request.host === '' || request.host === undefined) {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', 'The request has no Host header; send one or configure the registry with a publicUrl');
  }
  return `${request.protocol}://${request.host}`;
}

/** Who is writing, or PLEXUS_UNAUTHORIZED. Cheap and side-effect free, so handlers may call it again after the hook. */
export function requireWriter(ctx: RegistryContext, request: FastifyRequest): Writer {
  const name = ctx.auth.authenticate(request.headers.authorization);
  return { name, admin: ctx.auth.isAdmin(name) };
}

/** Whether the request carries a valid write token (no error when it does not). */
export function isWriter(ctx: RegistryContext, request: FastifyRequest): boolean {
  try {
    requireWriter(ctx, request);
    return true;
  } catch {
    return false;
  }
}

/** onRequest hook of every write route: refuses a bad token before fastify reads (up to ~67 MB of) body. */
export function writersOnly(ctx: RegistryContext): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    requireWriter(ctx, request);
  };
}
