// Runs INSIDE each plugin isolate (isolate-source.ts serializes it: it must
// not close over anything). It wraps the runner the host calls, so that no
// call ever throws, rejects with, or answers a value plugin code made.
//
// Why: isolated-vm copies a thrown value out of the isolate after the call's
// time limit has ended. A plugin's value read there runs plugin code with no
// limit: an Object.prototype.toJSON throwing { get message() { while (true)
// {} } } out of the runner's JSON.stringify held its worker thread for good,
// and the sandbox process, all plugins' batches with it, was aborted to free
// it. The runner shares its realm with plugin code, so any step of it may
// throw (a patched Map.prototype.get, toJSON, Error.prepareStackTrace): each
// answer is checked here with syntax only (try, typeof, await), nothing
// plugin code can replace, and anything else becomes a constant the host
// reads as a broken runner. (A rejection plugin code itself leaves unhandled
// is read the same way at the end of the call; nothing in the isolate can
// reach it, so a sync batch is still exposed to that.)
import type { Runner } from './isolate-bootstrap.ts';

export function guardRunner(runner: Runner): Runner {
  'use strict';
  /** Not a batch result: the host treats the instance as crashed (outcome-check.ts). */
  const NO_BATCH = '{"results":null,"instanceLogs":[]}';
  const BROKEN_HOOK = '{"ok":false,"error":{"name":"PlexusError","code":"PLEXUS_SANDBOX_CRASHED","message":"the plugin broke the sandbox runner"},"emitted":[],"logs":[],"droppedLogs":0}';
  const NOT_A_PLUGIN = 'the module\'s default export is not a usable plugin definition';
  const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
  return Object.freeze({
    load(definition: unknown): string | null {
      try {
        const problem = runner.load(definition);
        return problem === null ? null : text(problem, NOT_A_PLUGIN);
      } catch {
        return NOT_A_PLUGIN;
      }
    },
    async runBatch(eventsJson: string, token: number): Promise<string> {
      try {
        return text(await runner.runBatch(eventsJson, token), NO_BATCH);
      } catch {
        return NO_BATCH;
      }
    },
    startBatch(eventsJson: string, token: number): void {
      try {
        runner.startBatch(eventsJson, token);
      } catch {
        // takeBatch then finds nothing settled, and awaitBatch answers NO_BATCH.
      }
    },
    takeBatch(token: number): string | null {
      try {
        const json = runner.takeBatch(token);
        return typeof json === 'string' ? json : null;
      } catch {
        return null;
      }
    },
    async awaitBatch(token: number): Promise<string> {
      try {
        return text(await runner.awaitBatch(token), NO_BATCH);
      } catch {
        return NO_BATCH;
      }
    },
    async runHook(name: 'init' | 'cleanup'): Promise<string> {
      try {
        return text(await runner.runHook(name), BROKEN_HOOK);
      } catch {
        return BROKEN_HOOK;
      }
    },
    collect(token: number): string {
      try {
        return text(runner.collect(token), NO_BATCH);
      } catch {
        return NO_BATCH;
      }
    },
    takeInstanceLogs(): string {
      try {
        return text(runner.takeInstanceLogs(), '[]');
      } catch {
        return '[]';
      }
    },
  });
}
