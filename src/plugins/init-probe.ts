// Runs a plugin version's `init` once in the host's sandbox BEFORE it replaces
// the running version, so a version whose init fails is never swapped in: the
// old one keeps serving and the operator gets init's error. The sandbox only
// creates instances for a batch, so the probe is a batch of one synthetic event
// on a wrapper module: it loads the plugin's real `main` (module code, default
// export check), runs its real `init` with the real capabilities and config,
// never calls its `execute`, and after eviction runs its real `cleanup`, like
// any discarded instance (CONTRACT §3: instances may be discarded any time).
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PlexusError, type LogRecord } from '@plexus/plugin-sdk';
import type { PluginRuntimeSpec, SandboxPool } from '@plexus/plugin-sdk/runtime';

export type ProbeSandbox = Pick<SandboxPool, 'run' | 'evict'>;

/** Resolves when init succeeded; PLEXUS_PLUGIN_LOAD_FAILED with init's error otherwise. */
export async function probeInit(sandbox: ProbeSandbox, spec: PluginRuntimeSpec, onLog?: (record: LogRecord) => void): Promise<void> {
  const id = randomBytes(6).toString('hex');
  const file = `.plexus-init-probe-${id}.mjs`;
  const path = join(spec.root, file);
  const probe: PluginRuntimeSpec = { ...spec, key: `${spec.key}#init-probe-${id}`, main: file };
  await writeFile(path, wrapperSource(spec.main), { mode: 0o644 });
  try {
    const result = await sandbox.run(probe, [probeEvent(spec)]);
    for (const record of result.instanceLogs) onLog?.(record);
    const failure = result.loadError ?? result.outcomes.find((o) => !o.ok)?.error;
    if (failure) throw new PlexusError('PLEXUS_PLUGIN_LOAD_FAILED', failure.message);
  } finally {
    // Runs the plugin's cleanup on the probe instance and disposes it; a failing cleanup does not undo a good init.
    await sandbox.evict(probe.key).catch(() => undefined);
    await rm(path, { force: true });
  }
}

/** The plugin's own module behind a definition whose execute does nothing. */
function wrapperSource(main: string): string {
  const specifier = JSON.stringify(`./${main}`);
  return `import plugin from ${specifier};
if (typeof plugin !== 'object' || plugin === null || typeof plugin.execute !== 'function') {
  throw new TypeError("the module's default export is not a plugin definition: export default definePlugin({ execute(event, ctx) { ... } })");
}
export default {
  init(ctx) { return typeof plugin.init === 'function' ? plugin.init(ctx) : undefined; },
  execute() {},
  cleanup(ctx) { return typeof plugin.cleanup === 'function' ? plugin.cleanup(ctx) : undefined; },
};
`;
}

function probeEvent(spec: PluginRuntimeSpec) {
  return { specversion: '1.0', id: `init-probe-${spec.key}`, source: 'plexus/host', type: 'plexus.init-probe', time: new Date().toISOString(), datacontenttype: 'application/json', priority: 4 };
}
