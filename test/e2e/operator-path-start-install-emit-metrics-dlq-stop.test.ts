// What the README tells an operator, with the real binaries: `plexus start`
// on an empty state dir, `plexus install` of a plugin folder into it while
// it runs, `plexus emit`, the Prometheus metrics at GET /metrics with the
// admin token, `plexus dlq list`, `plexus plugins`, then SIGTERM and exit 0.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { plugin, writePlugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';
import { startPlexus } from '../helpers/plexus-process.ts';

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'plexus-operator-'));
});
after(() => rm(work, { recursive: true, force: true }));

/** The value of one Prometheus sample (name with its labels as printed), or 0 when absent. */
function sample(text: string, series: RegExp): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const [name, value] = [line.slice(0, line.lastIndexOf(' ')), line.slice(line.lastIndexOf(' ') + 1)];
    if (series.test(name)) return Number(value);
  }
  return 0;
}

test('start → install → emit → metrics → dlq → plugins → SIGTERM', { timeout: 180_000 }, async () => {
  // Counts orders in kv; refuses the ones marked {refuse: true} (PermanentError: straight to the DLQ).
  const folder = await writePlugin({
    name: 'order-gate', subscribe: ['orders.#'], capabilities: { kv: true },
    source: plugin("if (event.data && event.data.refuse) throw new PermanentError('refused by policy');\nawait ctx.kv.incr('orders', 1);"),
  }, work);
  const host = await startPlexus(join(work, 'state'));
  try {
    const installed = await host.cli('install', folder, '--grant', 'kv', '--json');
    assert.equal(installed.code, 0, installed.stderr);
    assert.equal((JSON.parse(installed.stdout) as { name: string }).name, '@fixtures/order-gate');

    for (const data of [{ id: 'o-1' }, { id: 'o-2' }, { id: 'o-3', refuse: true }]) {
      const emitted = await host.cli('emit', 'orders.eu.created', JSON.stringify(data));
      assert.equal(emitted.code, 0, emitted.stderr);
    }

    const metricsOf = async () => {
      const response = await fetch(`${host.adminUrl}/metrics`, { headers: { authorization: `Bearer ${host.token}` } });
      assert.equal(response.status, 200);
      return response.text();
    };
    let metrics = '';
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      metrics = await metricsOf();
      if (sample(metrics, /^plexus_plugin_executions_total\{plugin="@fixtures\/order-gate"/) >= 3 && sample(metrics, /^plexus_plugin_dead_lettered_total\{.*plugin="@fixtures\/order-gate"/) >= 1) break;
    }
    assert.equal(sample(metrics, /^plexus_plugin_executions_total\{plugin="@fixtures\/order-gate"/), 3, metrics);
    assert.equal(sample(metrics, /^plexus_plugin_dead_lettered_total\{.*plugin="@fixtures\/order-gate".*reason="permanent"/), 1);
    assert.ok(sample(metrics, /^plexus_ingress_events_total\{.*outcome="accepted"/) >= 3, 'accepted events are counted by source');
    assert.ok(metrics.includes('plexus_nodejs_eventloop_lag_seconds'), 'event-loop lag is exported');
    assert.equal((await fetch(`${host.adminUrl}/metrics`)).status, 401, 'metrics need the token');

    const dlq = await host.cli('dlq', 'list', '--json');
    assert.equal(dlq.code, 0, dlq.stderr);
    const page = JSON.parse(dlq.stdout) as { total: number; entries: { reason: string; event: { data: { id: string } } }[] };
    assert.deepEqual([page.total, page.entries[0]?.reason, page.entries[0]?.event.data.id], [1, 'permanent', 'o-3']);

    const plugins = await host.cli('plugins');
    assert.equal(plugins.code, 0, plugins.stderr);
    assert.match(plugins.stdout, /@fixtures\/order-gate/);
  } finally {
    assert.equal(await host.stop('SIGTERM'), 0, 'SIGTERM stops the host cleanly');
  }
});
