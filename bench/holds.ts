import { ObjectId } from 'mongodb';
import { addDays, todayUtc } from '../src/calendar';
import type { Targets } from './holds.load';
import {
  latencyRow,
  type PhaseResult,
  type PhaseSpec,
  printTable,
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
 * and run the raw-driver baselines against the same replica set at the same concurrency:
 * - uncontended: every hold a different (resource, date): `holdDates` via GraphQL vs the raw
 *   transaction doing the same claim + hold insert, and vs one bare `findOneAndUpdate` per claim;
 * - contention: `--contenders` holds at once on one date of a capacity-1 resource, `--rounds` times:
 *   exactly one winner each round (the bench exits 1 otherwise), p50/p99 via GraphQL and for one raw
 *   `findOneAndUpdate` each.
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
const CREATE = `mutation($input: CreateResourceInput!) { createResource(input: $input) { id } }`;

const day = (n: number) => addDays(todayUtc(new Date()), n);
const days = (from: number, count: number) => Array.from({ length: count }, (_, i) => day(from + i));

const world = await startBenchWorld();
const pool = await startLoadWorkers(WORKERS);
const problems: string[] = [];
try {
  const measure = world.processes();
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

  // Raw resources need only their slots (the server creates a resource's slots with the resource).
  const rawIds = (n: number) => Array.from({ length: n }, () => new ObjectId().toHexString());
  const [rawTxnResources, rawClaimResources, [rawWarm], [rawHot]] = [rawIds(perRun), rawIds(perRun), rawIds(1), rawIds(1)];
  const slotDocs = (resources: string[], dates: string[]) =>
    resources.flatMap((id) => dates.map((date) => ({ resourceId: new ObjectId(id), date, capacity: 1, claims: [], version: 0 })));
  await world.db
    .collection('dateSlots')
    .insertMany([
      ...slotDocs([...rawTxnResources, ...rawClaimResources], measuredDates),
      ...slotDocs([rawWarm], days(1, 2 * WARMUP)),
      ...slotDocs([rawHot], days(1, ROUNDS)),
    ]);

  const raw = (targets: Targets) => ({ uri: world.mongoUri, dbName: world.dbName, ...targets });
  const graphql = (targets: Targets, tokens: string[], keyPrefix: string) => ({ url: world.api.graphqlUrl, tokens, keyPrefix, ...targets });
  const run = <P>(spec: Omit<PhaseSpec<P>, 'module' | 'measure'>) => pool.run({ module: LOAD, measure, ...spec });

  // Warm-up: a first claim on each GraphQL resource, the server's JIT, both sides' connection pools.
  const allGql = [...gqlResources, warmResource, hotResource];
  await run({
    factory: 'viaGraphQL',
    params: graphql({ resources: allGql, dates: [day(WARM_DAY)] }, holders, 'horizon'),
    total: allGql.length,
    concurrency: allGql.length,
  });
  await run({
    factory: 'viaGraphQL',
    params: graphql({ resources: [warmResource], dates: days(1, WARMUP) }, holders, 'warm'),
    total: WARMUP,
    concurrency: CONCURRENCY,
  });
  await run({
    factory: 'rawTransaction',
    params: raw({ resources: [rawWarm], dates: days(1, WARMUP) }),
    total: WARMUP,
    concurrency: CONCURRENCY,
  });
  await run({
    factory: 'rawClaim',
    params: raw({ resources: [rawWarm], dates: days(1 + WARMUP, WARMUP) }),
    total: WARMUP,
    concurrency: CONCURRENCY,
  });

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
  const rawTxn = await timed(
    'raw transaction',
    run({
      factory: 'rawTransaction',
      params: raw({ resources: rawTxnResources, dates: measuredDates }),
      total: HOLDS,
      concurrency: CONCURRENCY,
    }),
  );
  const rawBare = await timed(
    'raw findOneAndUpdate',
    run({
      factory: 'rawClaim',
      params: raw({ resources: rawClaimResources, dates: measuredDates }),
      total: HOLDS,
      concurrency: CONCURRENCY,
    }),
  );
  const viaGql = await timed(
    'holdDates via GraphQL',
    run({
      factory: 'viaGraphQL',
      params: graphql({ resources: gqlResources, dates: measuredDates }, holders, 'a'),
      total: HOLDS,
      concurrency: CONCURRENCY,
    }),
  );
  expectAll(rawTxn, 'held', 'raw transactions');
  expectAll(rawBare, 'won', 'raw claims');
  expectAll(viaGql, 'held', 'GraphQL holds');

  // (b) Contention: CONTENDERS at once on one date, ROUNDS dates, one winner each.
  const gqlLatencies: number[] = [];
  const rawLatencies: number[] = [];
  const winners = { graphql: [] as number[], raw: [] as number[] };
  for (let round = 0; round < ROUNDS; round += 1) {
    const date = day(1 + round);
    const viaRaw = await timed(
      `contention ${round + 1}: raw findOneAndUpdate`,
      run({ factory: 'rawClaim', params: raw({ resources: [rawHot], dates: [date] }), total: CONTENDERS, concurrency: CONTENDERS }),
    );
    const viaApi = await timed(
      `contention ${round + 1}: GraphQL`,
      run({
        factory: 'viaGraphQL',
        params: graphql({ resources: [hotResource], dates: [date] }, contenders, `c${round}`),
        total: CONTENDERS,
        concurrency: CONTENDERS,
      }),
    );
    rawLatencies.push(...viaRaw.latencies);
    gqlLatencies.push(...viaApi.latencies);
    winners.raw.push(viaRaw.outcomes.won ?? 0);
    winners.graphql.push(viaApi.outcomes.held ?? 0);
    if (viaApi.outcomes.held !== 1 || viaApi.outcomes.unavailable !== CONTENDERS - 1)
      problems.push(`GraphQL round ${round + 1} on ${date}: ${JSON.stringify(viaApi.outcomes)}, expected exactly 1 held`);
    if (viaRaw.outcomes.won !== 1)
      problems.push(`raw round ${round + 1} on ${date}: ${JSON.stringify(viaRaw.outcomes)}, expected exactly 1 won`);
  }
  // The database agrees: one claim on each contended slot.
  const contended = await world.db
    .collection('dateSlots')
    .find({ resourceId: { $in: [new ObjectId(hotResource), new ObjectId(rawHot)] }, date: { $in: days(1, ROUNDS) } })
    .toArray();
  for (const slot of contended)
    if (slot.claims.length !== 1) problems.push(`slot ${slot.resourceId} ${slot.date} holds ${slot.claims.length} claims`);
  if (contended.length !== 2 * ROUNDS) problems.push(`found ${contended.length} contended slots, expected ${2 * ROUNDS}`);

  console.log(
    `\nholds bench: ${HOLDS.toLocaleString('en-US')} uncontended holds, ${CONCURRENCY} in flight; ${CONTENDERS} at once on one date × ${ROUNDS} rounds; ` +
      `${WORKERS} load worker process${WORKERS > 1 ? 'es' : ''}; compiled server (node dist/main.js) and one mongod, on this machine's ${(await import('node:os')).availableParallelism()} CPUs\n`,
  );
  printTable('', [
    throughputRow('holds, uncontended: vs raw transaction (claim + hold insert)', rawTxn, viaGql),
    throughputRow('holds, uncontended: vs bare findOneAndUpdate per claim', rawBare, viaGql),
    latencyRow(`holds, ${CONTENDERS} at once on one date (raw: findOneAndUpdate each)`, rawLatencies, gqlLatencies),
  ]);
  console.log(`\nwinners per round: GraphQL ${winners.graphql.join(', ')}; raw ${winners.raw.join(', ')} (each must be 1)`);
  console.log(
    `raw transactions: ${rawTxn.counters.attempts} attempts for ${rawTxn.counters.transactions} (retries: ${rawTxn.counters.attempts - rawTxn.counters.transactions})`,
  );
  console.log('\nphases (wall time; CPU time per process group over the phase):');
  for (const [label, result] of phases) console.log(usageLine(label, result));
  console.log(`\n${processLine('API process', world.api.pid)}`);
} catch (error) {
  problems.push(String((error as Error)?.stack ?? error));
  console.error(`the API's last log lines:\n${world.api.output().slice(-20).join('\n')}`);
} finally {
  await pool.close();
  await world.stop();
}
if (problems.length > 0) {
  console.error(`\nFAILED:\n  ${problems.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log('checks: passed');
}
