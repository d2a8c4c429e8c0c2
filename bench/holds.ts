import { fileURLToPath } from 'node:url';
import { ObjectId } from 'mongodb';
import { addDays, todayUtc } from '../src/calendar';
import type { Targets } from './holds.load';
import {
  type ApiServer,
  latencyRow,
  type PhaseResult,
  type PhaseSpec,
  printTable,
  reportChecks,
  processLine,
  startBenchWorld,
  startLoadWorkers,
  throughputRow,
  usageLine,
  wholeNumberOptions,
} from './support';

/**
 * npm run bench:holds [-- --holds 3000 --concurrency 64 --contenders 200 --rounds 5 --workers 1]
 *
 * The compiled server runs as its own process; load workers (child processes) drive it over HTTP,
 * and run the baselines against the same replica set at the same concurrency: the raw driver, and a
 * hand-written `node:http` endpoint (holds.handwritten.ts, its own process like the API) driven over
 * HTTP with the same requests:
 * - uncontended: every hold a different (resource, date): `holdDates` via GraphQL vs the raw
 *   transaction doing the same claim + hold insert, vs one bare `findOneAndUpdate` per claim, and vs
 *   the hand-written endpoint (token, user read, one transaction: claim + hold + idempotency key);
 * - contention: `--contenders` holds at once on one date of a capacity-1 resource, `--rounds` times:
 *   exactly one winner each round for every endpoint (the bench exits 1 otherwise), p50/p99 for one
 *   raw `findOneAndUpdate` each, the hand-written endpoint, GraphQL on a resource booked before
 *   (its slots exist), and GraphQL on a resource created (`createResource`) just before the round.
 */
const {
  holds: HOLDS,
  concurrency: CONCURRENCY,
  contenders: CONTENDERS,
  rounds: ROUNDS,
  workers: WORKERS,
  warmup: WARMUP,
} = wholeNumberOptions({
  holds: process.env.BENCH_HOLDS ?? '3000',
  concurrency: process.env.BENCH_CONCURRENCY ?? '64',
  contenders: '200',
  rounds: '5',
  workers: '1',
  warmup: '500',
});
/** Dates 1..1000 days ahead are measured; the horizon is ~1,098 days, so day 1,095 is free for warming. */
const DATES_PER_RESOURCE = 1000;
const WARM_DAY = 1095;
const LOAD = new URL('./holds.load.ts', import.meta.url);
const HANDWRITTEN = fileURLToPath(new URL('./holds.handwritten.ts', import.meta.url));
const CREATE = `mutation($input: CreateResourceInput!) { createResource(input: $input) { id } }`;

const day = (n: number) => addDays(todayUtc(new Date()), n);
const days = (from: number, count: number) => Array.from({ length: count }, (_, i) => day(from + i));

const world = await startBenchWorld();
const pool = await startLoadWorkers(WORKERS);
const problems: string[] = [];
let handwritten: ApiServer | undefined;
try {
  handwritten = await world.startServer(['--import', 'tsx', HANDWRITTEN]);
  const measure = { ...world.processes(), handwritten: [handwritten.pid] };
  const admin = await world.token('bench-admin', 'admin');
  const holders = await Promise.all(Array.from({ length: 100 }, (_, i) => world.token(`holder-${i}`)));
  const contenders = await Promise.all(Array.from({ length: CONTENDERS }, (_, i) => world.token(`contender-${i}`)));
  const newResource = async () =>
    (await world.graphql.gql(admin, CREATE, { input: { name: 'bench', capacity: 1, pricePerDate: 100, currency: 'EUR' } })).createResource
      .id as string;
  const perRun = Math.ceil(HOLDS / DATES_PER_RESOURCE);
  const gqlResources = await Promise.all(Array.from({ length: perRun }, newResource));
  const [warmResource, hotResource] = [await newResource(), await newResource()];
  const measuredDates = days(1, Math.min(HOLDS, DATES_PER_RESOURCE));

  // Raw and hand-written resources need only their slots (the server creates a resource's slots with the resource).
  const rawIds = (n: number) => Array.from({ length: n }, () => new ObjectId().toHexString());
  const [rawTxnResources, rawClaimResources, handResources] = [rawIds(perRun), rawIds(perRun), rawIds(perRun)];
  const [rawWarm, rawHot, handHot] = rawIds(3);
  // Warm-up k of the raw transaction, the bare claim and the hand-written endpoint: its own dates of rawWarm.
  const warmDays = (k: number) => days(1 + k * WARMUP, WARMUP);
  const slotDocs = (resources: string[], dates: string[]) =>
    resources.flatMap((id) => dates.map((date) => ({ resourceId: new ObjectId(id), date, capacity: 1, claims: [], version: 0 })));
  await world.db
    .collection('dateSlots')
    .insertMany([
      ...slotDocs([...rawTxnResources, ...rawClaimResources, ...handResources], measuredDates),
      ...slotDocs([rawWarm], days(1, 3 * WARMUP)),
      ...slotDocs([rawHot, handHot], days(1, ROUNDS)),
    ]);

  const raw = (targets: Targets) => ({ uri: world.mongoUri, dbName: world.dbName, ...targets });
  const overHttp = (url: string) => (targets: Targets, tokens: string[], keyPrefix: string) => ({ url, tokens, keyPrefix, ...targets });
  const graphql = overHttp(world.api.graphqlUrl);
  const hand = overHttp(`${handwritten.url}/holds`);
  const run = <P>(spec: Omit<PhaseSpec<P>, 'module' | 'measure'>) => pool.run({ module: LOAD, measure, ...spec });
  const steady = <P>(factory: string, params: P, total: number) => run({ factory, params, total, concurrency: CONCURRENCY });

  // Warm-up: a first claim on each GraphQL resource, the servers' JIT, every side's connection pools.
  const allGql = [...gqlResources, warmResource, hotResource];
  await run({
    factory: 'viaGraphQL',
    params: graphql({ resources: allGql, dates: [day(WARM_DAY)] }, holders, 'horizon'),
    total: allGql.length,
    concurrency: allGql.length,
  });
  await steady('viaGraphQL', graphql({ resources: [warmResource], dates: days(1, WARMUP) }, holders, 'warm'), WARMUP);
  await steady('rawTransaction', raw({ resources: [rawWarm], dates: warmDays(0) }), WARMUP);
  await steady('rawClaim', raw({ resources: [rawWarm], dates: warmDays(1) }), WARMUP);
  await steady('viaHandwritten', hand({ resources: [rawWarm], dates: warmDays(2) }, holders, 'warm'), WARMUP);

  const phases: [string, PhaseResult][] = [];
  const timed = async (label: string, result: Promise<PhaseResult>) => {
    const done = await result;
    phases.push([label, done]);
    return done;
  };
  const expectAll = (result: PhaseResult, label: string, what: string) => {
    if (result.outcomes[label] !== result.total)
      problems.push(`${what}: ${JSON.stringify(result.outcomes)}, expected ${result.total} ${label}`);
  };

  // (a) Uncontended.
  const measured = <P>(label: string, factory: string, params: P) => timed(label, steady(factory, params, HOLDS));
  const rawTxn = await measured('raw transaction', 'rawTransaction', raw({ resources: rawTxnResources, dates: measuredDates }));
  const rawBare = await measured('raw findOneAndUpdate', 'rawClaim', raw({ resources: rawClaimResources, dates: measuredDates }));
  const viaHand = await measured(
    'hand-written endpoint',
    'viaHandwritten',
    hand({ resources: handResources, dates: measuredDates }, holders, 'a'),
  );
  const viaGql = await measured(
    'holdDates via GraphQL',
    'viaGraphQL',
    graphql({ resources: gqlResources, dates: measuredDates }, holders, 'a'),
  );
  expectAll(rawTxn, 'held', 'raw transactions');
  expectAll(rawBare, 'won', 'raw claims');
  expectAll(viaHand, 'held', 'hand-written holds');
  expectAll(viaGql, 'held', 'GraphQL holds');

  // (b) Contention: CONTENDERS at once on one date, ROUNDS dates, one winner each, for every endpoint.
  const endpoints = {
    raw: 'raw findOneAndUpdate',
    handwritten: 'hand-written',
    booked: 'GraphQL, booked before',
    fresh: 'GraphQL, new resource',
  };
  type Endpoint = keyof typeof endpoints;
  const latencies: Record<Endpoint, number[]> = { raw: [], handwritten: [], booked: [], fresh: [] };
  const winners: Record<Endpoint, number[]> = { raw: [], handwritten: [], booked: [], fresh: [] };
  const contendedSlots: { resourceId: ObjectId; date: string }[] = [];
  const contend = async <P>(round: number, endpoint: Endpoint, factory: string, params: P & Targets, win: string) => {
    const result = await timed(
      `contention ${round + 1}: ${endpoints[endpoint]}`,
      run({ factory, params, total: CONTENDERS, concurrency: CONTENDERS }),
    );
    latencies[endpoint].push(...result.latencies);
    winners[endpoint].push(result.outcomes[win] ?? 0);
    contendedSlots.push({ resourceId: new ObjectId(params.resources[0]), date: params.dates[0] });
    if (result.outcomes[win] !== 1)
      problems.push(
        `${endpoints[endpoint]} round ${round + 1} on ${params.dates[0]}: ${JSON.stringify(result.outcomes)}, expected exactly 1 ${win}`,
      );
  };
  for (let round = 0; round < ROUNDS; round += 1) {
    const on = (resource: string) => ({ resources: [resource], dates: [day(1 + round)] });
    await contend(round, 'raw', 'rawClaim', raw(on(rawHot)), 'won');
    await contend(round, 'handwritten', 'viaHandwritten', hand(on(handHot), contenders, `c${round}`), 'held');
    await contend(round, 'booked', 'viaGraphQL', graphql(on(hotResource), contenders, `c${round}`), 'held');
    await contend(round, 'fresh', 'viaGraphQL', graphql(on(await newResource()), contenders, `f${round}`), 'held');
  }
  // The database agrees: one claim on each contended slot.
  const contended = await world.db.collection('dateSlots').find({ $or: contendedSlots }).toArray();
  for (const slot of contended)
    if (slot.claims.length !== 1) problems.push(`slot ${slot.resourceId} ${slot.date} holds ${slot.claims.length} claims`);
  if (contended.length !== contendedSlots.length)
    problems.push(`found ${contended.length} contended slots, expected ${contendedSlots.length}`);

  console.log(
    `\nholds bench: ${HOLDS.toLocaleString('en-US')} uncontended holds, ${CONCURRENCY} in flight; ${CONTENDERS} at once on one date × ${ROUNDS} rounds; ` +
      `${WORKERS} load worker process${WORKERS > 1 ? 'es' : ''}; compiled server (node dist/main.js), the hand-written endpoint and one mongod, on this machine's ${(await import('node:os')).availableParallelism()} CPUs\n`,
  );
  const vsHand = { baseline: 'hand-written', at: 'p99' } as const;
  printTable(
    '',
    [
      throughputRow('holds, uncontended: vs raw transaction (claim + hold insert)', rawTxn, viaGql),
      throughputRow('holds, uncontended: vs bare findOneAndUpdate per claim', rawBare, viaGql),
      throughputRow('holds, uncontended: vs hand-written endpoint', viaHand, viaGql, 'hand-written'),
      latencyRow(`holds, ${CONTENDERS} at once on one date (raw: findOneAndUpdate each)`, latencies.raw, latencies.booked),
      latencyRow(`holds, ${CONTENDERS} at once, booked before: vs hand-written`, latencies.handwritten, latencies.booked, vsHand),
      latencyRow(`holds, ${CONTENDERS} at once, resource just created: vs hand-written`, latencies.handwritten, latencies.fresh, vsHand),
    ],
    { raw: 'baseline' },
  );
  printTable(
    '\nthe hand-written endpoint (node:http, jose, user read, one transaction: claim + hold + idempotency key) vs the raw driver',
    [
      throughputRow('holds, uncontended: vs raw transaction (claim + hold insert)', rawTxn, viaHand),
      latencyRow(`holds, ${CONTENDERS} at once on one date (raw: findOneAndUpdate each)`, latencies.raw, latencies.handwritten),
    ],
    { graphql: 'hand-written' },
  );
  const perRound = (Object.keys(endpoints) as Endpoint[]).map((endpoint) => `${endpoints[endpoint]} ${winners[endpoint].join(', ')}`);
  console.log(`\nwinners per round: ${perRound.join('; ')} (each must be 1)`);
  console.log(
    `raw transactions: ${rawTxn.counters.attempts} attempts for ${rawTxn.counters.transactions} (retries: ${rawTxn.counters.attempts - rawTxn.counters.transactions})`,
  );
  console.log('\nphases (wall time; CPU time per process group over the phase):');
  for (const [label, result] of phases) console.log(usageLine(label, result));
  console.log(`\n${processLine('API process', world.api.pid)}`);
  console.log(processLine('hand-written endpoint process', handwritten.pid));
} catch (error) {
  problems.push(String((error as Error)?.stack ?? error));
  console.error(`the API's last log lines:\n${world.api.output().slice(-20).join('\n')}`);
  if (handwritten) console.error(`the hand-written endpoint's last lines:\n${handwritten.output().slice(-20).join('\n')}`);
} finally {
  await pool.close();
  await world.stop();
}
reportChecks(problems);
