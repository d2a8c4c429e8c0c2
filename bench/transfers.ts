import { availableParallelism } from 'node:os';
import type { Pairs } from './transfers.load';
import {
  type PhaseResult,
  type PhaseSpec,
  printTable,
  reportChecks,
  processLine,
  startBenchWorld,
  startLoadWorkers,
  summarize,
  throughputRow,
  usageLine,
  wholeNumberOptions,
} from './support';

/**
 * npm run bench:transfers [-- --accounts 1000 --spread 3000 --hot 1000 --authorized 1500 --hot-authorized 500 --concurrency 64 --workers 1]
 *
 * The compiled server runs as its own process; load workers (child processes) drive it over HTTP,
 * and run the raw-driver baseline (the same debit-if-funds + credit + transfer + two ledger entries
 * in one transaction) against the same replica set at the same concurrency:
 * - spread: transfers between random pairs of `--accounts` accounts;
 * - hot: every transfer from one account (the server queues debits per account; raw transactions
 *   conflict and retry);
 * - authorize + capture: a two-phase transfer (authorizeTransfer, then captureTransfer of all of
 *   it) against the same two raw transactions, spread and hot.
 * Checks, exiting 1 if any fails: Σ balances unchanged by the transfers, no negative balance,
 * every transfer recorded once, `ledgerCheck` clean.
 */
const {
  accounts: ACCOUNTS,
  spread: SPREAD,
  hot: HOT,
  concurrency: CONCURRENCY,
  workers: WORKERS,
  warmup: WARMUP,
  authorized: AUTHORIZED,
  'hot-authorized': HOT_AUTHORIZED,
} = wholeNumberOptions({
  accounts: '1000',
  spread: process.env.BENCH_SPREAD ?? '3000',
  hot: process.env.BENCH_HOT ?? '1000',
  concurrency: process.env.BENCH_CONCURRENCY ?? '64',
  workers: '1',
  warmup: '500',
  authorized: process.env.BENCH_AUTHORIZED ?? '1500',
  'hot-authorized': process.env.BENCH_HOT_AUTHORIZED ?? '500',
});
if (ACCOUNTS < 2) throw new Error('--accounts must be at least 2');
const INITIAL_BALANCE = 10_000_000;
const LOAD = new URL('./transfers.load.ts', import.meta.url);

const world = await startBenchWorld();
const pool = await startLoadWorkers(WORKERS);
const problems: string[] = [];
try {
  const measure = world.processes();
  const run = <P>(spec: Omit<PhaseSpec<P>, 'module' | 'measure'>) => pool.run({ module: LOAD, measure, ...spec });
  const admin = await world.token('bench-admin', 'admin');
  const admins = await Promise.all(Array.from({ length: 16 }, (_, i) => world.token(`bench-admin-${i}`, 'admin')));
  const accounts = world.db.collection('accounts');

  // Two sets of ACCOUNTS funded accounts, opened through the API: one for GraphQL, one for the raw driver.
  const openSet = async (prefix: string) => {
    const ownerIds = Array.from({ length: ACCOUNTS }, (_, i) => `${prefix}-${i}`);
    const owners = await Promise.all(ownerIds.map((id) => world.token(id)));
    await run({
      factory: 'openFunded',
      params: { url: world.api.graphqlUrl, owners, admins, amount: INITIAL_BALANCE },
      total: ACCOUNTS,
      concurrency: CONCURRENCY,
    });
    const docs = await accounts.find({ ownerId: { $in: ownerIds } }, { projection: { ownerId: 1 } }).toArray();
    const byOwner = new Map(docs.map((doc) => [doc.ownerId as string, doc._id.toHexString()]));
    return { owners, ids: ownerIds.map((id) => byOwner.get(id)!) };
  };
  const gqlSet = await openSet('gql-owner');
  const rawSet = await openSet('raw-owner');
  const total = async () =>
    (await accounts.aggregate<{ sum: number }>([{ $group: { _id: null, sum: { $sum: '$balance' } } }]).next())?.sum ?? 0;
  const before = { sum: await total(), transfers: await world.db.collection('transfers').countDocuments() };

  const pairs = (ids: string[], hot: boolean, salt: number): Pairs => ({ accounts: ids, hot, salt });
  const viaGraphQL = (hot: boolean, salt: number, keyPrefix: string) => ({
    url: world.api.graphqlUrl,
    owners: gqlSet.owners,
    keyPrefix,
    ...pairs(gqlSet.ids, hot, salt),
  });
  const viaRaw = (hot: boolean, salt: number) => ({ uri: world.mongoUri, dbName: world.dbName, ...pairs(rawSet.ids, hot, salt) });

  // Warm-up: the server's JIT, both sides' connection pools.
  await run({ factory: 'viaGraphQL', params: viaGraphQL(false, 1, 'warm'), total: WARMUP, concurrency: CONCURRENCY });
  await run({ factory: 'rawTransaction', params: viaRaw(false, 1), total: WARMUP, concurrency: CONCURRENCY });

  const phases: [string, PhaseResult][] = [];
  const timed = async (label: string, result: Promise<PhaseResult>) => {
    const done = await result;
    phases.push([label, done]);
    if (done.outcomes.completed !== done.total)
      problems.push(`${label}: ${JSON.stringify(done.outcomes)}, expected ${done.total} completed`);
    return done;
  };
  const spreadRaw = await timed(
    'spread: raw transaction',
    run({ factory: 'rawTransaction', params: viaRaw(false, 2), total: SPREAD, concurrency: CONCURRENCY }),
  );
  const spreadGql = await timed(
    'spread: transfer via GraphQL',
    run({ factory: 'viaGraphQL', params: viaGraphQL(false, 2, 'spread'), total: SPREAD, concurrency: CONCURRENCY }),
  );
  const hotRaw = await timed(
    'hot: raw transaction',
    run({ factory: 'rawTransaction', params: viaRaw(true, 3), total: HOT, concurrency: CONCURRENCY }),
  );
  const hotGql = await timed(
    'hot: transfer via GraphQL',
    run({ factory: 'viaGraphQL', params: viaGraphQL(true, 3, 'hot'), total: HOT, concurrency: CONCURRENCY }),
  );

  // Two-phase transfers: authorize, then capture all of it (two requests, two transactions each).
  const authRaw = await timed(
    'spread: raw authorize + capture',
    run({ factory: 'rawAuthorizeCapture', params: viaRaw(false, 4), total: AUTHORIZED, concurrency: CONCURRENCY }),
  );
  const authGql = await timed(
    'spread: authorize + capture via GraphQL',
    run({ factory: 'authorizeCaptureViaGraphQL', params: viaGraphQL(false, 4, 'auth'), total: AUTHORIZED, concurrency: CONCURRENCY }),
  );
  const hotAuthRaw = await timed(
    'hot: raw authorize + capture',
    run({ factory: 'rawAuthorizeCapture', params: viaRaw(true, 5), total: HOT_AUTHORIZED, concurrency: CONCURRENCY }),
  );
  const hotAuthGql = await timed(
    'hot: authorize + capture via GraphQL',
    run({ factory: 'authorizeCaptureViaGraphQL', params: viaGraphQL(true, 5, 'hotauth'), total: HOT_AUTHORIZED, concurrency: CONCURRENCY }),
  );

  // Checks: money only moved, never went negative, every transfer recorded once, the ledger reconciles.
  const after = { sum: await total(), transfers: await world.db.collection('transfers').countDocuments() };
  const expectedTransfers = 2 * WARMUP + 2 * SPREAD + 2 * HOT + 2 * AUTHORIZED + 2 * HOT_AUTHORIZED;
  if (after.sum !== before.sum) problems.push(`Σ balances changed: ${before.sum} before the transfers, ${after.sum} after`);
  const negative = await accounts.countDocuments({ balance: { $lt: 0 } });
  if (negative > 0) problems.push(`${negative} accounts have a negative balance`);
  if (after.transfers - before.transfers !== expectedTransfers)
    problems.push(`${after.transfers - before.transfers} transfers recorded, expected ${expectedTransfers}`);
  const { ledgerCheck } = await world.graphql.gql<{ ledgerCheck: { ok: boolean; accountsChecked: number; problems: string[] } }>(
    admin,
    '{ ledgerCheck { ok accountsChecked problems } }',
  );
  if (!ledgerCheck.ok) problems.push(`ledgerCheck: ${ledgerCheck.problems.slice(0, 5).join('; ')}`);

  const retries = (result: PhaseResult) =>
    `${result.counters.attempts - result.counters.transactions} retries in ${result.counters.transactions} transactions`;
  console.log(
    `\ntransfers bench: ${SPREAD.toLocaleString('en-US')} spread over ${ACCOUNTS.toLocaleString('en-US')} accounts, ${HOT.toLocaleString('en-US')} from one hot account, ${CONCURRENCY} in flight; ` +
      `${WORKERS} load worker process${WORKERS > 1 ? 'es' : ''}; compiled server (node dist/main.js) and one mongod, on this machine's ${availableParallelism()} CPUs\n`,
  );
  printTable('', [
    throughputRow(`transfers, spread over ${ACCOUNTS.toLocaleString('en-US')} accounts`, spreadRaw, spreadGql),
    throughputRow('transfers, all from one hot account', hotRaw, hotGql),
    throughputRow(`authorize + capture pairs, spread over ${ACCOUNTS.toLocaleString('en-US')} accounts`, authRaw, authGql),
    throughputRow('authorize + capture pairs, all from one hot account', hotAuthRaw, hotAuthGql),
  ]);
  const hotP99 = summarize(hotGql.latencies).p99 / summarize(hotRaw.latencies).p99;
  console.log(`\nhot account p99 ratio GraphQL / raw: ${hotP99.toFixed(2)}`);
  console.log(
    `raw transaction retries: spread ${retries(spreadRaw)}; hot ${retries(hotRaw)}; authorize + capture spread ${retries(authRaw)}, hot ${retries(hotAuthRaw)}`,
  );
  console.log(
    `checks: Σ balances ${before.sum.toLocaleString('en-US')} before and ${after.sum.toLocaleString('en-US')} after; ${negative} negative balances; ` +
      `${after.transfers - before.transfers} transfers recorded of ${expectedTransfers}; ledgerCheck ok=${ledgerCheck.ok} over ${ledgerCheck.accountsChecked} accounts`,
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
reportChecks(problems);
