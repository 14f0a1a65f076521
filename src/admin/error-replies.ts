// Every admin error body is {"error": {"code": "PLEXUS_…", "message": "…"}}
// (CONTRACT §7): PlexusErrors keep their code and catalog status, fastify's
// own errors are mapped onto catalog codes, a store that cannot write now is
// PLEXUS_UNAVAILABLE (store-unavailable.ts), and anything unexpected becomes
// PLEXUS_INTERNAL with the catalog's generic message (details go to the log).
import { ERROR_CATALOG, PlexusError, isPlexusErrorCode, type PlexusErrorCode } from '@plexus/plugin-sdk';
import { describeAjvErrors, formatProblems } from '@plexus/plugin-sdk/runtime';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { storeUnavailable } from '../store/store-unavailable.ts';
import { FORMAT_EXPECTATIONS } from './request-formats.ts';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function errorBody(err: PlexusError): ErrorBody {
  const error: ErrorBody['error'] = { code: err.code, message: err.message };
  // Details help a caller fix a request; on server errors they could expose internals.
  if (err.details !== undefined && err.status < 500) error.details = err.details;
  return { error };
}

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  validation?: ErrorObject[];
  validationContext?: string;
}

export function toPlexusError(err: unknown, invalidRequestCode: PlexusErrorCode = 'PLEXUS_INVALID_REQUEST'): PlexusError {
  if (err instanceof PlexusError) return err;
  const { code, statusCode, validation, validationContext } = (typeof err === 'object' && err !== null ? err : {}) as FastifyLikeError;
  const message = err instanceof Error ? err.message : String(err);
  if (validation !== undefined) {
    const problems = describeAjvErrors(validation.map(reworded), validationContext ?? 'request');
    return new PlexusError(invalidRequestCode, `Invalid request: ${formatProblems(problems)}`, { details: { problems } });
  }
  if (isPlexusErrorCode(code)) return new PlexusError(code, message);
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || statusCode === 413) return new PlexusError('PLEXUS_PAYLOAD_TOO_LARGE', 'The request body is larger than the admin API accepts');
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || statusCode === 415) return new PlexusError('PLEXUS_UNSUPPORTED_MEDIA_TYPE', 'Send JSON (content-type: application/json)');
  // Malformed JSON and the like: the caller's mistake, in the route's own terms.
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return new PlexusError(invalidRequestCode, message);
  return storeUnavailable(err) ?? new PlexusError('PLEXUS_INTERNAL', ERROR_CATALOG.PLEXUS_INTERNAL.message, { cause: err });
}

// ajv says `must match format "plexus-time"`; say what the value must look like instead.
function reworded(error: ErrorObject): ErrorObject {
  const expectation = error.keyword === 'format' ? FORMAT_EXPECTATIONS[String(error.params.format)] : undefined;
  return expectation === undefined ? error : { ...error, message: expectation };
}
