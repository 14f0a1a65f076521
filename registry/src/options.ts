// Options of the programmatic API and their defaults. CONTRACT §8 fixes the
// operator-facing ones: `plexus registry start [--port 4873] [--storage dir]`.
import { PlexusError } from '@plexus/plugin-sdk';
import type { FastifyBaseLogger } from 'fastify';

export const DEFAULT_PORT = 4873;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_STORAGE = './.plexus/registry';
export const DEFAULT_MAX_TARBALL_BYTES = 50 * 1024 * 1024;
/**
 * Longest a request may take to arrive, body included (Node's own default, which
 * fastify turns off): without one, a client trickling a body a byte at a time
 * holds its connection, and a file descriptor, for ever. Five minutes still
 * carries a full-size publish (~67 MB) at ~2 Mbit/s.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;

export interface RegistryOptions {
  /** Storage directory (one folder per package). */
  storage: string;
  /** Bearer tokens allowed to write. None (and no admin tokens) = read-only registry. */
  tokens?: readonly string[];
  /** Bearer tokens allowed to write every package, as its maintainers may (ownership.ts); a token in both lists is an admin. */
  adminTokens?: readonly string[];
  /** Base URL for `dist.tarball` when clients reach the registry through a proxy; default: each request's own host. */
  publicUrl?: string;
  /** `true` for fastify's default logger, or a pino-compatible instance; default off. */
  logger?: boolean | FastifyBaseLogger;
  maxTarballBytes?: number;
  /** See DEFAULT_REQUEST_TIMEOUT_MS; a request still arriving after this is answered 408 and its connection closed. */
  requestTimeoutMs?: number;
  /** Clock for `time` fields (tests pin it). */
  now?: () => Date;
}

export interface StartOptions extends Partial<RegistryOptions> {
  port?: number;
  host?: string;
}

/** `https://reg.example.com/npm/` → `https://reg.example.com/npm`; anything but an http(s) URL is refused. */
export function normalizePublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', `publicUrl "${value}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', `publicUrl "${value}" must be an http or https URL`);
  }
  if (url.search !== '' || url.hash !== '') throw new PlexusError('PLEXUS_INVALID_REQUEST', `publicUrl "${value}" must not have a query or fragment`);
  return url.href.replace(/\/+$/, '');
}

export function assertPort(port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', `port must be an integer from 0 to 65535, got ${port}`);
  }
  return port;
}
