// bench:webhooks: requests/s and p99 of POST /hooks/:source through Plexus
// (GitHub-style HMAC → replay claim → durable accept on SQLite → 202, with a
// sandboxed trivial plugin consuming every event) as a ratio to a bare
// fastify route doing the same HMAC and JSON.parse. Same payload (~300 B),
// same connections and duration, rounds interleaved in one run so both see
// the same machine. At the end it waits until the plugin has processed every
// accepted event. Last line: one JSON object.
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { DrainReport } from './webhooks-servers.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WARMUP_SECONDS = 2;
const TARGETS = { ratio: 0.6, p99Ms: 20 };
const SECRET = 'bench-webhook-secret';
const PAYLOAD = JSON.stringify({
  ref: 'refs/heads/main',
  before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
  after: '0000000000000000000000000000000000000001',
  repository: { id: 1296269, full_name: 'acme/widgets', private: false },
  pusher: { name: 'octocat', email: 'octocat@example.com' },
  head_commit: { id: '0000000000000000000000000000000000000001', message: 'Fix the widget', timestamp: '2025-01-15T12:00:00Z' },
});
const SIGNATURE = `sha256=${createHmac('sha256', SECRET).update(PAYLOAD).digest('hex')}`;

interface Run {
  /** The server process's CPU per answered request (all its threads; Plexus's sandbox process not included). */
  cpuUsPerRequest: number;
  okPerSec: number;
  ok: number;
  p99Ms: number;
  p50Ms: number;
  non2xx: number;
  errors: number;
}

async function startServer(role: 'bare' | 'plexus'): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(join(import.meta.dirname, 'webhooks-servers.ts'), [role, SECRET], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [message] = (await Promise.race([once(child, 'message'), once(child, 'exit').then(() => Promise.reject(new Error(`the ${role} server exited`)))])) as [{ url: string }];
  return { child, url: message.url };
}

/** The server's CPU so far, in µs (webhooks-servers.ts answers 'cpu'). */
async function cpuUs(child: ChildProcess): Promise<number> {
  const answer = once(child, 'message') as Promise<[{ cpuUs: number }]>;
  child.send('cpu');
  const [message] = await Promise.race([answer, once(child, 'exit').then(() => Promise.reject(new Error('a server exited during the bench')))]);
  return message.cpuUs;
}

/**
 * Every request carries a fresh delivery id, a random UUID as GitHub's
 * X-GitHub-Delivery is, so replay protection never refuses the load and pays
 * what it pays in production: each claim lands on a random page of the
 * replay index (ids counting up cost it 10-19% less throughput, which no
 * sender gives).
 */
async function load(server: { child: ChildProcess; url: string }, seconds: number): Promise<Run> {
  const cpuBefore = await cpuUs(server.child);
  const result = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 30,
    requests: [{
      method: 'POST',
      path: '/hooks/bench',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': SIGNATURE },
      body: PAYLOAD,
      setupRequest: (request) => ({ ...request, headers: { ...request.headers, 'x-github-delivery': randomUUID() } }),
    }],
  });
  const cpu = (await cpuUs(server.child)) - cpuBefore;
  return { cpuUsPerRequest: cpu / Math.max(1, result['2xx']), okPerSec: result['2xx'] / result.duration, ok: result['2xx'], p99Ms: result.latency.p99, p50Ms: result.latency.p50, non2xx: result.non2xx, errors: result.errors };
}

const bare = await startServer('bare');
const plexus = await startServer('plexus');
try {
  await load(bare, WARMUP_SECONDS);
  const answered = [(await load(plexus, WARMUP_SECONDS)).ok];
  const runs = { bare: [] as Run[], plexus: [] as Run[] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate who goes first, so a drift in the machine's load hits both alike.
    const order = round % 2 === 0 ? (['bare', 'plexus'] as const) : (['plexus', 'bare'] as const);
    for (const which of order) {
      const run = await load(which === 'bare' ? bare : plexus, SECONDS);
      runs[which].push(run);
      if (which === 'plexus') answered.push(run.ok);
      console.log(`round ${round + 1} ${which.padEnd(6)} ${run.okPerSec.toFixed(0).padStart(6)} req/s (202)  p50 ${run.p50Ms} ms  p99 ${run.p99Ms} ms  CPU ${run.cpuUsPerRequest.toFixed(0)} µs/req  non-2xx ${run.non2xx}  errors ${run.errors}`);
    }
  }
  const drained = once(plexus.child, 'message');
  plexus.child.send('drain');
  const [report] = (await drained) as [DrainReport];

  const meanOf = (runs: Run[], of: (run: Run) => number) => runs.reduce((sum, r) => sum + of(r), 0) / runs.length;
  const mean = (runs: Run[]) => meanOf(runs, (r) => r.okPerSec);
  const bareRps = mean(runs.bare);
  const plexusRps = mean(runs.plexus);
  const ratio = plexusRps / bareRps;
  // The worst round's p99: the honest figure when the machine is shared.
  const p99Ms = Math.max(...runs.plexus.map((r) => r.p99Ms));
  const answered202 = answered.reduce((a, b) => a + b, 0);
  const lost = report.accepted - report.processed;
  console.log(`bare fastify: ${bareRps.toFixed(0)} req/s, p99 ${Math.max(...runs.bare.map((r) => r.p99Ms))} ms`);
  console.log(`plexus:       ${plexusRps.toFixed(0)} req/s, p99 ${p99Ms} ms (ratio ${ratio.toFixed(2)}; targets ≥ ${TARGETS.ratio}, ≤ ${TARGETS.p99Ms} ms)`);
  console.log(`accepted durably ${report.accepted} (202 seen by the client: ${answered202}); processed by the plugin ${report.processed}; pending ${report.pending}; dead-lettered ${report.dlq}${lost === 0 ? '' : `; NOT PROCESSED ${lost}`}`);
  console.log(JSON.stringify({
    bench: 'webhooks',
    ratio: Number(ratio.toFixed(3)),
    p99Ms,
    processed: report.processed,
    accepted: report.accepted,
    answered202,
    pending: report.pending,
    dlq: report.dlq,
    plexusReqPerSec: Math.round(plexusRps),
    bareReqPerSec: Math.round(bareRps),
    // Steadier than the ratio on a shared machine (docs/performance.md): what each request costs each server.
    plexusCpuUsPerRequest: Math.round(meanOf(runs.plexus, (r) => r.cpuUsPerRequest)),
    bareCpuUsPerRequest: Math.round(meanOf(runs.bare, (r) => r.cpuUsPerRequest)),
    connections: CONNECTIONS,
    seconds: SECONDS,
    rounds: ROUNDS,
    targetsMet: { ratio: ratio >= TARGETS.ratio, p99Ms: p99Ms <= TARGETS.p99Ms, allProcessed: lost === 0 && report.pending === 0 && report.dlq === 0 },
  }));
} finally {
  bare.child.disconnect();
  plexus.child.disconnect();
}
