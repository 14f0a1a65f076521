// definePlugin accepts any object with an execute hook, so a class instance
// (hooks on its prototype, state in its fields) type-checks. Its hooks must
// survive: a spread copies own properties only, and the definition would
// have no execute (never loading) or silently lose init and cleanup.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { definePlugin, type PlexusEvent, type PluginContext, type PluginHooks } from '../src/index.ts';

test('hooks defined on a prototype are kept, and run with the instance\'s fields as this', async () => {
  const calls: string[] = [];
  class Greeter implements PluginHooks {
    prefix = 'hello';
    async init(): Promise<void> {
      calls.push(`init ${this.prefix}`);
    }
    async execute(event: PlexusEvent, _ctx: PluginContext): Promise<void> {
      calls.push(`${this.prefix} ${event.type}`);
    }
    async cleanup(): Promise<void> {
      calls.push('cleanup');
    }
  }
  const definition = definePlugin(new Greeter());
  assert.equal(typeof definition.execute, 'function');
  assert.equal(typeof definition.init, 'function');
  assert.equal(typeof definition.cleanup, 'function');
  await definition.init?.({} as never);
  await definition.execute({ specversion: '1.0', id: '1', source: 's', type: 'a.b' }, {} as PluginContext);
  await definition.cleanup?.({} as never);
  assert.deepEqual(calls, ['init hello', 'hello a.b', 'cleanup']);
  assert.ok(Object.isFrozen(definition));
});
