// The one catalog of PLEXUS_* codes. CONTRACT.md §9 fixes the first fourteen;
// new codes are added here (and in docs/errors.md, kept in sync by a test).
// `status` is the HTTP status the admin and webhook APIs answer with.

export const ERROR_CATALOG = {
  PLEXUS_INVALID_MANIFEST: { status: 400, message: 'The plugin package.json "plexus" object is malformed.' },
  PLEXUS_INCOMPATIBLE_API: { status: 400, message: "The plugin's apiVersion range does not accept this host's API version." },
  PLEXUS_INVALID_CONFIG: { status: 400, message: "Configuration fails its JSON Schema: a plugin's config against the plugin's schema, or the host's own config file." },
  PLEXUS_CAPABILITY_DENIED: { status: 403, message: 'A plugin used a capability or target it was not granted.' },
  PLEXUS_INVALID_EVENT: { status: 400, message: 'The event is not a valid CloudEvents 1.0 envelope.' },
  PLEXUS_BAD_SIGNATURE: { status: 401, message: 'A webhook signature is missing, wrong or outside its time tolerance.' },
  PLEXUS_REPLAYED: { status: 409, message: 'A webhook delivery id was already seen within the replay window.' },
  PLEXUS_RATE_LIMITED: { status: 429, message: 'A rate limit was hit; retry after the indicated delay.' },
  PLEXUS_PAYLOAD_TOO_LARGE: { status: 413, message: 'A body, event or emitted payload exceeds its size limit.' },
  PLEXUS_TIMEOUT: { status: 504, message: 'A plugin hook exceeded its time limit.' },
  PLEXUS_OUT_OF_MEMORY: { status: 507, message: 'A plugin instance exceeded its memory limit.' },
  PLEXUS_INTEGRITY_MISMATCH: { status: 400, message: "A plugin tarball does not match its registry integrity." },
  PLEXUS_NOT_FOUND: { status: 404, message: 'The requested resource does not exist.' },
  PLEXUS_UNAUTHORIZED: { status: 401, message: 'Missing or wrong credentials.' },
  // Added by the developers (CONTRACT §9 allows new codes).
  PLEXUS_PLUGIN_ERROR: { status: 500, message: 'A plugin hook threw an error (retried unless it was a PermanentError).' },
  PLEXUS_PLUGIN_LOAD_FAILED: { status: 400, message: "The plugin's module could not be loaded, or its init hook failed." },
  PLEXUS_SANDBOX_CRASHED: { status: 503, message: 'The sandbox process or a worker died while running a hook.' },
  PLEXUS_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request content type is not supported.' },
  PLEXUS_INVALID_REQUEST: { status: 400, message: 'The request is malformed.' },
  PLEXUS_FORBIDDEN: { status: 403, message: 'The credentials are valid but do not allow this action (e.g. writing a registry package the token does not maintain).' },
  PLEXUS_CONFLICT: { status: 409, message: 'The resource already exists or is in a conflicting state.' },
  PLEXUS_EXPIRED: { status: 410, message: 'The event expired (expiresat) before it was delivered.' },
  PLEXUS_CIRCUIT_OPEN: { status: 503, message: 'The circuit breaker for a plugin or connection is open.' },
  PLEXUS_UNAVAILABLE: { status: 503, message: 'A dependency (store, broker, sandbox) is not available.' },
  PLEXUS_INTERNAL: { status: 500, message: 'An unexpected internal error.' },
  // 508 Loop Detected: a plugin's emits would take an emit chain past the host's maximum depth (an emit loop).
  PLEXUS_EMIT_DEPTH_EXCEEDED: { status: 508, message: "A plugin's emits would take an emit chain past the maximum depth." },
} as const satisfies Record<string, { status: number; message: string }>;

export type PlexusErrorCode = keyof typeof ERROR_CATALOG;

export const ERROR_CODES = Object.keys(ERROR_CATALOG) as PlexusErrorCode[];

export function isPlexusErrorCode(value: unknown): value is PlexusErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOG, value);
}

/** Errors as they cross every boundary (isolate, worker, process, HTTP): plain data, never an Error object. */
export interface ErrorData {
  name: string;
  message: string;
  code?: string;
  /** Set when the failure must not be retried (PermanentError, denied capability, invalid event). */
  permanent?: boolean;
}

/** The host-side error class: every refusal the host raises carries a catalog code. */
export class PlexusError extends Error {
  readonly code: PlexusErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: PlexusErrorCode, message?: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message ?? ERROR_CATALOG[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PlexusError';
    this.code = code;
    this.details = options?.details;
  }
  get status(): number {
    return ERROR_CATALOG[this.code].status;
  }
  toData(): ErrorData {
    return { name: this.name, message: this.message, code: this.code };
  }
}

/** Converts anything thrown into ErrorData without trusting its getters beyond strings. */
export function toErrorData(err: unknown, fallbackCode: PlexusErrorCode = 'PLEXUS_INTERNAL'): ErrorData {
  if (err instanceof PlexusError) return err.toData();
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, code: isPlexusErrorCode(code) ? code : fallbackCode };
  }
  return { name: 'Error', message: String(err), code: fallbackCode };
}
