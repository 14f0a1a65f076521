// What a failed call into an isolate means: which fault ended the instance
// (the restart cause the host counts) and the error its events are charged,
// from what isolated-vm threw and whether our watchdog fired.
import type { ErrorData } from '../errors.ts';
import type { PluginRuntimeSpec, RestartCause } from './protocol.ts';

/** `disposedUnderUs`: the isolate is disposed and not by us (isolated-vm disposes one that ran out of memory). */
export function classifyFault(err: unknown, watchdogFired: boolean, disposedUnderUs: boolean): RestartCause {
  const message = describeError(err);
  if (/memory limit/i.test(message)) return 'oom';
  if (watchdogFired || /timed out/i.test(message)) return 'timeout';
  if (disposedUnderUs) return 'oom';
  return 'crash';
}

export function faultError(fault: RestartCause, hook: string, spec: PluginRuntimeSpec, err: unknown): ErrorData {
  switch (fault) {
    case 'timeout':
      return { name: 'PlexusError', code: 'PLEXUS_TIMEOUT', message: `${hook} of ${spec.name} exceeded its ${spec.limits.timeoutMs} ms time limit` };
    case 'oom':
      return { name: 'PlexusError', code: 'PLEXUS_OUT_OF_MEMORY', message: `${hook} of ${spec.name} exceeded its ${spec.limits.memoryMb} MB memory limit` };
    default:
      return { name: 'PlexusError', code: 'PLEXUS_SANDBOX_CRASHED', message: `${hook} of ${spec.name} crashed the sandbox: ${describeError(err)}` };
  }
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
