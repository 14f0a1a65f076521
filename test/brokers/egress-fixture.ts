// For the egress and metrics tests: a plugin that emits what its trigger
// event asks for (type in data.emit, data {n}), the trigger events, and a
// reader for one sample of the host's Prometheus text.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { Host } from '../../src/host/host.ts';
import { writePlugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';

export const EMITTER = '@fixtures/broker-emitter';
export const TRIGGER_TYPE = 'trigger.emit';

const EMITTER_SOURCE = `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute(event, ctx) {
  const d = event.data;
  if (d.partitionkey !== undefined) ctx.emit(d.emit, { n: d.n }, { partitionkey: d.partitionkey });
  else ctx.emit(d.emit, { n: d.n });
} });`;

/** Plugin state of a host whose one plugin turns `trigger.emit` events into events of the types `emits` allows. */
export function emitterState(emits: string[]): (stateDir: string) => Promise<void> {
  return async (stateDir) => {
    const root = await writePlugin({ name: 'broker-emitter', subscribe: ['trigger.#'], capabilities: { emit: emits }, source: EMITTER_SOURCE }, stateDir);
    const plugin = { name: EMITTER, version: '1.0.0', root, enabled: true, grants: emits.map((p) => `emit:${p}`), config: {} };
    await writeFile(join(stateDir, 'plugins.json'), JSON.stringify({ version: 1, plugins: [plugin] }));
  };
}

/** An event the emitter answers with one event of type `emit` and data {n}. */
export function trigger(emit: string, n: number | string, partitionkey?: string): PlexusEvent {
  const data: Record<string, string | number> = { emit, n };
  if (partitionkey !== undefined) data.partitionkey = partitionkey;
  return { specversion: '1.0', id: randomUUID(), source: 'test/egress', type: TRIGGER_TYPE, time: new Date().toISOString(), datacontenttype: 'application/json', data };
}

/** The value of the sample `name{labels}` in the host's /metrics text, or undefined when it is not exported. */
export async function sample(host: Host, name: string, labels: Record<string, string>): Promise<number | undefined> {
  for (const line of (await host.metrics.text()).split('\n')) {
    const match = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = new Map([...(match[2] as string).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k as string, v as string]));
    if (Object.entries(labels).every(([k, v]) => found.get(k) === v)) return Number(match[3]);
  }
  return undefined;
}
