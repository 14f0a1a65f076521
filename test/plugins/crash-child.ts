// One plugin operation in a host of its own, for the crash tests: run with
// --import ./crash-hook.ts and CRASH_AT, it is killed part way. Exits 0 only
// if the operation finished (the crash point was never reached).
import { defaultHostConfig } from '../../src/config/host-config.ts';
import { Host } from '../../src/host/host.ts';
import type { InstallRequest, PluginPatch } from '../../src/plugins/plugin-manager.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

export type CrashOperation = { install: InstallRequest } | { update: { name: string; patch: PluginPatch } } | { uninstall: string };

const [stateDir, text] = process.argv.slice(2) as [string, string];
const operation = JSON.parse(text) as CrashOperation;
const config = { ...defaultHostConfig(stateDir), sandbox: { ...defaultHostConfig().sandbox, threads: 1, idleMs: 60_000 } };
const host = await Host.start(config, { logger: new RecordingLogger() });
if ('install' in operation) await host.pluginManager.install(operation.install);
else if ('update' in operation) await host.pluginManager.update(operation.update.name, operation.update.patch);
else await host.pluginManager.uninstall(operation.uninstall);
await host.stop();
process.exit(0);
