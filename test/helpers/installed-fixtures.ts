// Fixture plugins as if installed before the host starts: each written under
// the state dir and listed in its plugins.json, enabled.
import { join } from 'node:path';
import { writePluginState } from '../../src/plugins/plugin-state.ts';
import { writePlugin, type FixturePlugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';

export async function installFixtures(stateDir: string, fixtures: readonly FixturePlugin[], grants: string[] = []): Promise<void> {
  const plugins = [];
  for (const fixture of fixtures) {
    const root = await writePlugin(fixture, stateDir);
    plugins.push({ name: `@fixtures/${fixture.name}`, version: '1.0.0', root, enabled: true, grants, config: {} });
  }
  await writePluginState(join(stateDir, 'plugins.json'), { version: 1, plugins });
}
