import { ObjectId } from 'mongodb';
import { type AccountDocument, ledgerCollections } from '../src/ledger';
import { moveFunds } from '../src/ledger/transfers';
import { type TransactionStats, withTransaction } from '../src/mongo';
import { percentile, runPool, startBenchApp, summary } from './support';

/**
 * Transfers/s through GraphQL against the raw driver running the same transaction at the same
 * concurrency, for spread-out accounts and for one hot source account, with withTransaction
 * retries and latency percentiles. The GraphQL path queues debits per account inside the instance.
 */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SPREAD_TOTAL = Number(process.env.BENCH_SPREAD ?? 3000);
const HOT_TOTAL = Number(process.env.BENCH_HOT ?? 1000);
const ACCOUNTS = 200;

const OPEN = `mutation($input: OpenAccountInput!) { openAccount(input: $input) { id } }`;
const DEPOSIT = `mutation($input: DepositInput!) { deposit(input: $input) { __typename } }`;
const TRANSFER = `mutation($input: TransferInput!) { transfer(input: $input) { __typename } }`;

const bench = await startBenchApp();
try {
  const admin = await bench.token('bench-admin', 'admin');
  const owners = await Promise.all(Array.from({ length: ACCOUNTS }, (_, i) => bench.token(`owner-${i}`)));
  const openAccounts = () =>
    Promise.all(
      owners.map(async (token, i) => {
        const id = (await bench.gql(token, OPEN, { input: { currency: 'EUR' } })).openAccount.id as string;
        await bench.gql(admin, DEPOSIT, { input: { accountId: id, amount: 10_000_000, idempotencyKey: `seed-${id}-${i}` } });
        return id;
      }),
    );
  const collections = ledgerCollections(bench.db);
  const gqlAccounts = await openAccounts();
  const rawIds = (await openAccounts()).map((id) => new ObjectId(id));
  const rawAccounts = await Promise.all(rawIds.map(async (_id) => (await collections.accounts.findOne({ _id })) as AccountDocument));
  const rawStats: TransactionStats = { runs: 0, attempts: 0 };
  const gqlStats = bench.app.services.transactionStats;

  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  const pair = (hot: boolean) => {
    const from = hot ? 0 : random(ACCOUNTS);
    return [from, (from + 1 + random(ACCOUNTS - 1)) % ACCOUNTS];
  };

  const viaGraphQL = (hot: boolean, tag: string) => async (i: number) => {
    const [from, to] = pair(hot);
    const data = await bench.gql(owners[from], TRANSFER, {
      input: { fromAccountId: gqlAccounts[from], toAccountId: gqlAccounts[to], amount: 1 + random(100), idempotencyKey: `${tag}-${i}` },
    });
    if (data.transfer.__typename !== 'TransferCompleted') throw new Error(`unexpected ${data.transfer.__typename}`);
  };
  const viaDriver = (hot: boolean) => async () => {
    const [from, to] = pair(hot);
    const amount = 1 + random(100);
    await withTransaction(
      bench.client,
      async (session) => {
        const movement = { source: rawAccounts[from], target: rawAccounts[to], amount, memo: null, initiatedBy: 'raw', now: new Date() };
        if (!(await moveFunds(collections, session, movement))) throw new Error('unexpected: raw transfer refused');
      },
      rawStats,
    );
  };

  const measure = async (label: string, total: number, op: (i: number) => Promise<void>, stats: TransactionStats) => {
    const before = { ...stats };
    const run = await runPool(total, CONCURRENCY, op);
    const rate = summary(label, total, run);
    console.log(`    withTransaction retries: ${stats.attempts - before.attempts - (stats.runs - before.runs)} per ${total}`);
    return { rate, p99: percentile(run.latencies, 99) };
  };

  await runPool(300, CONCURRENCY, viaGraphQL(false, 'warm')); // JIT and pools
  console.log(`transfers bench: ${CONCURRENCY} in flight, one mongod, ${ACCOUNTS} accounts`);
  const spreadRaw = await measure('spread-out: raw driver', SPREAD_TOTAL, viaDriver(false), rawStats);
  const spreadGql = await measure('spread-out: GraphQL', SPREAD_TOTAL, viaGraphQL(false, 'spread'), gqlStats);
  console.log(`    ratio GraphQL / raw: ${(spreadGql.rate / spreadRaw.rate).toFixed(2)}`);
  const hotRaw = await measure('one hot source account: raw driver', HOT_TOTAL, viaDriver(true), rawStats);
  const hotGql = await measure('one hot source account: GraphQL (queued)', HOT_TOTAL, viaGraphQL(true, 'hot'), gqlStats);
  console.log(`    ratio GraphQL / raw: ${(hotGql.rate / hotRaw.rate).toFixed(2)}   p99 ratio: ${(hotGql.p99 / hotRaw.p99).toFixed(2)}`);
  const check = await bench.app.services.ledger.check();
  console.log(
    `ledgerCheck after the run: ok=${check.ok} accounts=${check.accountsChecked}${check.ok ? '' : ` problems=${check.problems.length}`}`,
  );
  if (!check.ok) process.exitCode = 1;
} finally {
  await bench.stop();
}
