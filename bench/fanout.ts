import { MongoClient } from 'mongodb';
import { startEmbeddedReplSet, startStripeMock } from '../src/dev';
import { buildIfStale, percentile } from './support';
import { Crowd } from './fanout/crowd';
import { apiPhase, floorPhase, type PhaseResult, type ServerFigures } from './fanout/phases';

/**
 * npm run bench:fanout [-- 1000 10000]        (FANOUT_INSTANCES=2 npm run bench:fanout -- 20000)
 *
 * Commit-to-delivery latency of `availabilityUpdates` (FANOUT_FIELD=availabilityChanged: the
 * per-date view) with N subscribers over FANOUT_INSTANCES API instances (default 1) on one replica
 * set, what they cost each instance, and the floor to compare with, measured in the same run. Each
 * instance is the compiled server (`node dist/main.js`) in its own process, fresh for each N; the
 * N subscribers run in CLIENT_PROCESSES other processes (plain `ws` sockets speaking
 * graphql-transport-ws, no client library; process i talks to instance i mod FANOUT_INSTANCES), so
 * neither the clients' CPU nor their memory is counted as the server's. Subscribers are spread over
 * N/10 users, so the production per-user connection limit (WS_MAX_CONNECTIONS_PER_USER=20) stays on.
 *
 * Each round holds one date of the subscribed range through the first instance; latency = arrival
 * at the subscriber − the commit's `wallTime` in the oplog (read from a separate change stream), so
 * it covers the change stream, the fan-out, serialisation and the WebSocket hop. Every subscriber
 * must get every round's change exactly once and in commit order, or the run exits non-zero.
 *
 * The floor: then the same client processes open as many plain sockets to as many bare `ws`
 * servers (each alone in its process), and each round every server writes one frame of the size
 * the API's frames had to each of its sockets; latency = arrival − the moment it started writing.
 * Its memory per socket is the bare cost of a WebSocket connection. Then the same again against
 * stock graphql-ws (`useServer` on `ws`, the same subscription field with nothing behind it, the
 * event executed and sent per subscriber as graphql-ws does): what graphql-ws itself costs per
 * subscription, the least any server on this stack can keep.
 *
 * Environment: ROUNDS (30), CLIENT_PROCESSES (4), FANOUT_INSTANCES (1), FANOUT_RANGE_DAYS (366: the
 * subscribed range, so the size of each subscriber's first message), FANOUT_HEAP_SNAPSHOT=<dir> (a
 * heap snapshot of each instance once its subscribers are up), FANOUT_PROFILE=<dir> (each
 * instance runs with `--cpu-prof --cpu-prof-dir=<dir>/api-<N>-<instance>`, and the rounds'
 * monotonic-clock window is printed).
 */

/** What the subscribers follow: `availabilityUpdates` (one message per transaction), or `FANOUT_FIELD=availabilityChanged`. */
const FIELD = process.env.FANOUT_FIELD === 'availabilityChanged' ? 'availabilityChanged' : 'availabilityUpdates';
const SUBSCRIPTION =
  FIELD === 'availabilityChanged'
    ? `subscription($resourceId: ID!, $from: LocalDate!, $to: LocalDate!) {
  availabilityChanged(resourceId: $resourceId, from: $from, to: $to) { date remaining status version }
}`
    : `subscription($resourceId: ID!, $from: LocalDate!, $to: LocalDate!) {
  availabilityUpdates(resourceId: $resourceId, from: $from, to: $to) { cursor reset dates { id date remaining status version } }
}`;
const RUN_DEADLINE_MS = 20 * 60_000;

const sum = <T>(items: T[], pick: (item: T) => number) => items.reduce((n, item) => n + pick(item), 0);
const kib = (f: ServerFigures) => (1024 * (f.rss.subscribed - f.rss.idle)) / f.subscribers;
const p = (latencies: number[], q: number) => percentile(latencies, q);

/** Every subscriber got every change exactly once, in order, and nothing else. */
function complete(phase: PhaseResult): boolean {
  return phase.servers.every((server) => {
    const t = server.totals;
    const clean = t.every((x) => x.missing === 0 && x.duplicates === 0 && x.outOfOrder === 0 && x.others === 0 && x.errors.length === 0);
    return clean && sum(t, (x) => x.delivered) === server.subscribers * phase.expected;
  });
}

function deliveryLine(label: string, phase: PhaseResult): string {
  const all = phase.servers.flatMap((s) => s.latencies);
  const t = phase.servers.flatMap((s) => s.totals);
  return (
    `  ${label.padEnd(34)} p50 ${p(all, 50)}   p95 ${p(all, 95)}   p99 ${p(all, 99)}   max ${all.reduce((a, b) => Math.max(a, b), 0)} ms; ` +
    `${sum(t, (x) => x.delivered)} delivered, missing ${sum(t, (x) => x.missing)}, duplicates ${sum(t, (x) => x.duplicates)}, ` +
    `out of order ${sum(t, (x) => x.outOfOrder)}, other ${sum(t, (x) => x.others)}${complete(phase) ? '' : '   FAILED'}`
  );
}

function report(size: number, rounds: number, api: PhaseResult, floor: PhaseResult, stock: PhaseResult): boolean {
  const instances = api.servers.length;
  const apiAll = api.servers.flatMap((s) => s.latencies);
  const floorAll = floor.servers.flatMap((s) => s.latencies);
  console.log(
    `\n${size} subscribers of ${FIELD} over ${instances} instance(s), ${rounds} rounds (one held date each), frames of ${api.frameBytes} bytes`,
  );
  console.log(deliveryLine('API: commit → delivery', api));
  console.log(deliveryLine('floor: bare ws write → delivery', floor));
  console.log(deliveryLine('stock graphql-ws, empty field', stock));
  console.log(`  p99 API / floor                    ${(p(apiAll, 99) / Math.max(p(floorAll, 99), 1)).toFixed(2)}× (target ≤ 1.25×)`);
  const apiKib = sum(api.servers, (s) => kib(s) * s.subscribers) / size;
  const floorKib = sum(floor.servers, (s) => kib(s) * s.subscribers) / size;
  const stockKib = sum(stock.servers, (s) => kib(s) * s.subscribers) / size;
  const stockAll = stock.servers.flatMap((s) => s.latencies);
  console.log(`  p99 stock graphql-ws / floor       ${(p(stockAll, 99) / Math.max(p(floorAll, 99), 1)).toFixed(2)}×`);
  console.log(
    `  memory per subscriber              API ${apiKib.toFixed(1)} KiB (target ≤ 8), bare ws server ${floorKib.toFixed(1)} KiB per socket (${(apiKib / floorKib).toFixed(2)}×), ` +
      `stock graphql-ws ${stockKib.toFixed(1)} KiB (${(apiKib / stockKib).toFixed(2)}×)`,
  );
  console.log(
    `  subscribers up in                  API ${api.setupS.toFixed(1)} s (${(size / api.setupS).toFixed(0)}/s), bare ws ${floor.setupS.toFixed(1)} s, stock graphql-ws ${stock.setupS.toFixed(1)} s`,
  );
  for (const [i, s] of api.servers.entries()) {
    const f = floor.servers[i];
    console.log(
      `  instance ${i + 1}: ${s.subscribers} subscribers; p50 ${p(s.latencies, 50)} p99 ${p(s.latencies, 99)} ms (floor p99 ${p(f.latencies, 99)}); ` +
        `RSS ${s.rss.idle.toFixed(0)} → ${s.rss.subscribed.toFixed(0)} → ${s.rss.after.toFixed(0)} MiB (${kib(s).toFixed(1)} KiB/subscriber; bare ${kib(f).toFixed(1)}); ` +
        `CPU setup ${s.cpu.setup.toFixed(1)} s, rounds ${s.cpu.rounds.toFixed(2)} s (${s.cpu.roundsSystem.toFixed(2)} kernel; ` +
        `${((1e6 * s.cpu.rounds) / (rounds * s.subscribers)).toFixed(1)} µs per delivery; bare ${((1e6 * f.cpu.rounds) / (rounds * f.subscribers)).toFixed(1)})`,
    );
  }
  for (const error of [...api.servers, ...floor.servers, ...stock.servers].flatMap((s) => s.totals.flatMap((t) => t.errors)))
    console.log(`  error: ${error}`);
  console.log(`  API open-files limits ${api.openFiles}`);
  return complete(api) && complete(floor) && complete(stock);
}

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const rounds = Number(process.env.ROUNDS ?? 30);
  const processes = Number(process.env.CLIENT_PROCESSES ?? 4);
  const instances = Number(process.env.FANOUT_INSTANCES ?? 1);
  if (!(instances >= 1 && processes >= instances)) throw new Error('FANOUT_INSTANCES must be at least 1 and at most CLIENT_PROCESSES');
  const deadline = setTimeout(() => {
    console.error(`bench:fanout did not finish within ${RUN_DEADLINE_MS / 60_000} min`);
    process.exit(1);
  }, RUN_DEADLINE_MS);
  deadline.unref();
  buildIfStale();
  const [replSet, stripeMock] = await Promise.all([startEmbeddedReplSet({ log: () => {} }), startStripeMock({ log: () => {} })]);
  const mongo = await new MongoClient(replSet.uri).connect();
  let ok = true;
  try {
    console.log(`${FIELD} fan-out: node dist/main.js × ${instances}, fresh for each size; subscribers in ${processes} client processes`);
    const world = { mongoUri: replSet.uri, stripeApiBase: stripeMock.url, mongo };
    for (const size of sizes.length > 0 ? sizes : [100, 1000]) {
      const crowd = new Crowd(size, processes);
      try {
        const api = await apiPhase(crowd, world, instances, rounds, SUBSCRIPTION);
        const floor = await floorPhase(crowd, instances, rounds, api.frameBytes, { role: 'floor', query: '' });
        const stock = await floorPhase(crowd, instances, rounds, api.frameBytes, { role: 'graphql-ws', query: SUBSCRIPTION });
        ok = report(size, rounds, api, floor, stock) && ok;
      } finally {
        await crowd.close();
      }
    }
  } finally {
    await mongo.close();
    await stripeMock.stop();
    await replSet.stop();
  }
  if (!ok) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
