// The part of the SDK that runs INSIDE the sandbox. The sandbox compiles this
// very file (types stripped) as the module "@plexus/plugin-sdk", so it must
// import nothing at run time (type-only imports are erased) and use only
// ECMAScript built-ins.
import type { JsonObject, PlexusEvent, PluginContext } from './types.ts';

/** The host plugin API version (CONTRACT §1). Plugins declare a semver range over it. */
export const HOST_API_VERSION = '1.0.0';

const PERMANENT = Symbol.for('plexus.permanent');

/**
 * Throw from `execute` to send the event straight to the dead-letter queue
 * without retries. Recognised by a registered symbol, so a plugin that bundled
 * its own copy of the SDK is still understood.
 */
export class PermanentError extends Error {
  readonly [PERMANENT] = true;
  readonly code: string | undefined;
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PermanentError';
    this.code = options?.code;
  }
  static is(value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PERMANENT] === true;
  }
}

export interface PluginHooks<Config = JsonObject> {
  init?(ctx: PluginContext<Config>): void | Promise<void>;
  execute(event: PlexusEvent, ctx: PluginContext<Config>): unknown;
  cleanup?(ctx: PluginContext<Config>): void | Promise<void>;
}

/** Checks the shape of a plugin definition as early as possible: at module evaluation. */
export function definePlugin<Config = JsonObject>(hooks: PluginHooks<Config>): PluginHooks<Config> {
  if (typeof hooks !== 'object' || hooks === null) throw new TypeError('definePlugin expects an object with an execute hook');
  if (typeof hooks.execute !== 'function') throw new TypeError('definePlugin: "execute" must be a function');
  for (const name of ['init', 'cleanup'] as const) {
    if (hooks[name] !== undefined && typeof hooks[name] !== 'function') throw new TypeError(`definePlugin: "${name}" must be a function when present`);
  }
  // The hooks by name as well as the own fields: a class instance (or Object.create) has its
  // methods on its prototype, which a spread alone would leave behind.
  const { execute, init, cleanup } = hooks;
  return Object.freeze({ ...hooks, execute, ...(init === undefined ? {} : { init }), ...(cleanup === undefined ? {} : { cleanup }) });
}
