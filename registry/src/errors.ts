// Error bodies. Two shapes, on purpose:
// - The registry's own JSON API (/-/plexus/…) answers CONTRACT §7's
//   {"error": {"code": "PLEXUS_…", "message": "…"}}.
// - The npm-protocol routes (packuments, tarballs, publish, dist-tags, search,
//   whoami, ping) answer {"error": "PLEXUS_…: …", "code", "message"}: the npm CLI
//   (npm-registry-fetch) shows `body.error` to the user only when it is a
//   string, so the object shape would hide our message behind "[object Object]".
//   `code` and `message` are kept alongside for tools that parse the body.
import { ERROR_CATALOG, PlexusError, isPlexusErrorCode } from '@plexus/plugin-sdk';

export const PLEXUS_API_PREFIX = '/-/plexus/';

export interface NpmErrorBody {
  error: string;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface PlexusErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function isPlexusApiPath(url: string): boolean {
  return url.startsWith(PLEXUS_API_PREFIX);
}

export function npmErrorBody(err: PlexusError): NpmErrorBody {
  const body: NpmErrorBody = { error: `${err.code}: ${err.message}`, code: err.code, message: err.message };
  if (err.details !== undefined) body.details = err.details;
  return body;
}

export function plexusErrorBody(err: PlexusError): PlexusErrorBody {
  const error: PlexusErrorBody['error'] = { code: err.code, message: err.message };
  if (err.details !== undefined) error.details = err.details;
  return { error };
}

/** 404 for a method and path no route serves. */
export function noRouteError(request: { method: string; url: string }): PlexusError {
  return new PlexusError('PLEXUS_NOT_FOUND', `No registry route for ${request.method} ${request.url.split('?')[0]}`);
}

export function errorBodyFor(url: string, err: PlexusError): NpmErrorBody | PlexusErrorBody {
  return isPlexusApiPath(url) ? plexusErrorBody(err) : npmErrorBody(err);
}

/**
 * Maps anything a handler or fastify itself threw onto a PlexusError.
 * Unknown failures become PLEXUS_INTERNAL with the catalog's generic message so
 * file paths and stack details never leak to clients (they go to the log).
 */
export function toPlexusError(err: unknown): PlexusError {
  if (err instanceof PlexusError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  const message = err instanceof Error ? err.message : String(err);
  if (isPlexusErrorCode(code)) return new PlexusError(code, message);
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
    return new PlexusError('PLEXUS_PAYLOAD_TOO_LARGE', `The request body is larger than this registry accepts: ${message}`);
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
    return new PlexusError('PLEXUS_UNSUPPORTED_MEDIA_TYPE', `Send JSON (content-type: application/json): ${message}`);
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new PlexusError('PLEXUS_INVALID_REQUEST', message);
  }
  return new PlexusError('PLEXUS_INTERNAL', ERROR_CATALOG.PLEXUS_INTERNAL.message, { cause: err });
}
