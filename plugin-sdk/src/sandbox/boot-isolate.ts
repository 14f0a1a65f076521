// Booting a plugin instance's isolate: the isolate itself (with its memory
// limit and what happens when V8 loses it), the bootstrap realm with the host
// functions it calls back into, the plugin's modules, and the runner's check
// of what the plugin's main module exports.
import ivm from 'isolated-vm';
import type { PluginRuntimeSpec } from './protocol.ts';
import { BOOTSTRAP_SOURCE } from './isolate-source.ts';
import type { BootSetup } from './isolate-setup.ts';
import { loadError, loadPluginModules } from './module-loader.ts';
import type { AnswerHandoff } from './answer-handoff.ts';

/** Budget of the small bookkeeping calls (load, collect, logs). */
export const SMALL_CALL_MS = 1000;

/** Host functions an instance calls back into; each answers JSON text and never throws across. */
export interface HostHooks {
  kv(op: string, argsJson: string): Promise<string>;
  fetch(requestJson: string): Promise<string>;
  denied(capability: string, target: string): void;
}

/** The runner's functions in the isolate (isolate-bootstrap.ts) that the host calls. */
export interface RunnerRefs {
  runBatch: ivm.Reference;
  runHook: ivm.Reference;
  collect: ivm.Reference;
  takeInstanceLogs: ivm.Reference;
  startBatch: ivm.Reference;
  takeBatch: ivm.Reference;
  awaitBatch: ivm.Reference;
}

export function createPluginIsolate(spec: PluginRuntimeSpec): ivm.Isolate {
  return new ivm.Isolate({
    memoryLimit: spec.limits.memoryMb,
    // V8 has lost control of this isolate and the thread may never return
    // (seen with Array(1e9).fill(0)). isolated-vm's advice is to end the
    // process; the host respawns the sandbox and charges the batch. This
    // runs in a worker thread, where process.abort() throws instead of
    // aborting: a signal to our own process ends all of it.
    onCatastrophicError: (message) => {
      process.stderr.write(`plexus sandbox: catastrophic isolate error in ${spec.name}@${spec.version}: ${message}; aborting the sandbox process\n`);
      process.kill(process.pid, 'SIGABRT');
    },
  });
}

/**
 * Sets up the runner in `isolate`, loads the plugin's modules, evaluates its
 * main module and has the runner check its default export. Throws on any
 * failure (a PlexusError when the plugin is at fault); disposing the isolate
 * is the caller's.
 */
export async function bootIsolate(isolate: ivm.Isolate, spec: PluginRuntimeSpec, sdkSource: string, hooks: HostHooks, answers: AnswerHandoff): Promise<RunnerRefs> {
  const context = await isolate.createContext();
  const setup: BootSetup = {
    plugin: { name: spec.name, version: spec.version },
    configJson: JSON.stringify(spec.config),
    caps: spec.capabilities,
    secrets: spec.secrets,
    limits: spec.limits,
  };
  // kv and fetch answer long texts by number, taken with a sync call (answer-handoff.ts): copied in by their async answer, one too big for the isolate aborted the process.
  const hostRefs = [
    new ivm.Reference(async (op: string, argsJson: string) => answers.hand(await hooks.kv(String(op), String(argsJson)))),
    new ivm.Reference(async (requestJson: string) => answers.hand(await hooks.fetch(String(requestJson)))),
    new ivm.Reference((capability: string, target: string) => hooks.denied(String(capability), String(target))),
  ];
  const takeAnswerRef = new ivm.Reference((id: number) => answers.take(Number(id)));
  const runner = (await context.evalClosure(BOOTSTRAP_SOURCE, [...hostRefs, JSON.stringify(setup), takeAnswerRef], { result: { reference: true }, timeout: SMALL_CALL_MS })) as ivm.Reference;
  const [runBatch, runHook, collect, takeInstanceLogs, load, startBatch, takeBatch, awaitBatch] = (await Promise.all(['runBatch', 'runHook', 'collect', 'takeInstanceLogs', 'load', 'startBatch', 'takeBatch', 'awaitBatch'].map((name) => runner.get(name, { reference: true }) as Promise<ivm.Reference>))) as [ivm.Reference, ivm.Reference, ivm.Reference, ivm.Reference, ivm.Reference, ivm.Reference, ivm.Reference, ivm.Reference];
  const { main } = await loadPluginModules(isolate, context, spec.root, spec.main, sdkSource);
  await main.evaluate({ timeout: spec.limits.timeoutMs });
  const definition = (await main.namespace.get('default', { reference: true })) as ivm.Reference;
  const problem = (await load.apply(undefined, [definition.derefInto()], { result: { copy: true }, timeout: SMALL_CALL_MS })) as string | null;
  if (problem !== null) throw loadError(`cannot load ${spec.name}@${spec.version}: ${String(problem).slice(0, 1000)}`);
  return { runBatch, runHook, collect, takeInstanceLogs, startBatch, takeBatch, awaitBatch };
}
