// Every plexus command but start and registry is a thin client of the admin
// API. Loading the CLI must not load the host (its schemas, drivers, server,
// sandbox): that took every `plexus plugins` or `plexus dlq list` over a
// second to start, against about 0.15 s without. This file imports nothing
// else, so what is loaded is what the CLI loads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadedPackages } from '../../plugin-sdk/test/helpers/loaded-packages.ts';

/** Packages only the host, the registry or the sandbox use. */
const HEAVY = ['ajv', 'fastify', 'pacote', 'ioredis', 'amqplib', 'pino', 'isolated-vm', 'piscina', 'prom-client', 'yaml', 'tar'];

test('the CLI and its client commands load none of the host\'s heavy packages', async () => {
  const { runCli } = await import('../../src/cli/run-cli.ts');
  const out: string[] = [];
  const io = { env: {}, cwd: process.cwd(), stdout: (text: string) => void out.push(text), stderr: (text: string) => void out.push(text) };
  for (const argv of [['--help'], ['plugins', '--help'], ['dlq', 'list', '--help'], ['install', '--help'], ['replay', '--help'], ['start', '--help'], ['registry', '--help']]) {
    assert.equal(await runCli(argv, io), 0, argv.join(' '));
  }
  assert.ok(out.some((text) => text.includes('Usage: plexus registry start')), 'the registry help names its defaults without loading the registry');
  const heavy = HEAVY.filter((name) => loadedPackages().has(name));
  assert.deepEqual(heavy, [], `loaded by the CLI: ${heavy.join(', ')}`);
});
