// A plugin that keeps its sandbox busy on every slow.# event, installed under
// a state dir before `plexus start`: what the shutdown tests stop a host in
// the middle of. A busy loop, not a timer, so the event is surely still
// running when the signal comes; its timeout is far above the loop.
import { installFixtures } from '../helpers/installed-fixtures.ts';

/** `logWhenDone`: a line the plugin logs once the loop ends (the event finished). */
export async function installSlowPlugin(stateDir: string, busyMs: number, logWhenDone?: string): Promise<void> {
  const done = logWhenDone === undefined ? '' : ` ctx.log.info(${JSON.stringify(logWhenDone)});`;
  await installFixtures(stateDir, [{
    name: 'slow',
    subscribe: ['slow.#'],
    limits: { timeoutMs: 20_000 },
    source: `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({
  async execute(event, ctx) { const end = Date.now() + ${busyMs}; while (Date.now() < end) {}${done} },
});`,
  }]);
}
