import { ObjectId } from 'mongodb';
import { addDays, todayUtc } from '../src/calendar';
import { capacityCollections, claimSteps, slotCreator } from '../src/capacity';
import { systemClock } from '../src/clock';
import { bookingCollections } from '../src/bookings';
import { withTransaction } from '../src/mongo';
import { runPool, startBenchApp, summary } from './support';

/**
 * Hold throughput through GraphQL against the same claim done with the raw driver, at the same
 * concurrency, plus 200-way contention on one date. Ratios matter more than absolute figures.
 */
const TOTAL = Number(process.env.BENCH_HOLDS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const CONTENDERS = 200;

const HOLD = `mutation($input: HoldDatesInput!) { holdDates(input: $input) { __typename ... on DatesHeld { hold { id } } } }`;
const CREATE = `mutation($input: CreateResourceInput!) { createResource(input: $input) { id } }`;

const bench = await startBenchApp();
try {
  const admin = await bench.token('bench-admin', 'admin');
  const user = await bench.token('bench-user');
  const newResource = async (capacity: number) =>
    (await bench.gql(admin, CREATE, { input: { name: 'bench', capacity, pricePerDate: 100, currency: 'EUR' } })).createResource
      .id as string;
  const today = todayUtc(new Date());
  const dateOf = (i: number) => addDays(today, 1 + (i % 1000));
  const { holds } = bookingCollections(bench.db);
  const { slots, resources } = capacityCollections(bench.db);
  const ensureSlots = slotCreator(bench.client, slots, resources, systemClock);
  const { claim: claimDate } = claimSteps(slots);

  // Warm-up: JIT, connection pools.
  const warm = await newResource(1);
  await runPool(200, CONCURRENCY, (i) =>
    bench.gql(user, HOLD, { input: { resourceId: warm, dates: [dateOf(i)], idempotencyKey: `w${i}` } }),
  );

  // (a) Uncontended: every hold a distinct (resource, date), through HTTP + GraphQL + idempotency key.
  const gqlResources = await Promise.all(Array.from({ length: Math.ceil(TOTAL / 1000) }, () => newResource(1)));
  const viaGraphQL = await runPool(TOTAL, CONCURRENCY, (i) =>
    bench.gql(user, HOLD, { input: { resourceId: gqlResources[Math.floor(i / 1000)], dates: [dateOf(i)], idempotencyKey: `a${i}` } }),
  );

  // (b) The same claim with the raw driver: ensure the slot, then claim + insert the hold in one transaction.
  const rawIds = await Promise.all(Array.from({ length: Math.ceil(TOTAL / 1000) }, () => newResource(1)));
  const rawDocs = await resources.find({ _id: { $in: rawIds.map((id) => new ObjectId(id)) } }).toArray();
  const viaDriver = await runPool(TOTAL, CONCURRENCY, async (i) => {
    const resource = rawDocs[Math.floor(i / 1000)] as any;
    const date = dateOf(i);
    await ensureSlots(resource._id, [date]);
    const now = new Date();
    const holdId = new ObjectId();
    await withTransaction(bench.client, async (session) => {
      const ok = await claimDate(
        session,
        resource._id,
        date,
        { holdId, userId: 'raw', state: 'held', expiresAt: new Date(now.getTime() + 1_800_000) },
        now,
      );
      if (!ok) throw new Error('unexpected: raw claim refused');
      await holds.insertOne(
        {
          _id: holdId,
          resourceId: resource._id,
          userId: 'raw',
          dates: [date],
          amount: 100,
          currency: 'EUR',
          state: 'held',
          expiresAt: now,
          createdAt: now,
          updatedAt: now,
        },
        { session },
      );
    });
  });

  // (c) 200 clients at once on one date of a capacity-1 resource.
  const hot = await newResource(1);
  const hotDate = dateOf(500);
  const tokens = await Promise.all(Array.from({ length: CONTENDERS }, (_, i) => bench.token(`contender-${i}`)));
  let winners = 0;
  const contention = await runPool(CONTENDERS, CONTENDERS, async (i) => {
    const data = await bench.gql(tokens[i], HOLD, { input: { resourceId: hot, dates: [hotDate], idempotencyKey: `c${i}` } });
    if (data.holdDates.__typename === 'DatesHeld') winners += 1;
  });

  console.log(`holds bench: ${TOTAL} holds, ${CONCURRENCY} in flight, one mongod`);
  const graphqlRate = summary('(a) holdDates via GraphQL (HTTP)', TOTAL, viaGraphQL);
  const driverRate = summary('(b) same claim via raw driver (transaction)', TOTAL, viaDriver);
  console.log(`    ratio GraphQL / raw driver: ${(graphqlRate / driverRate).toFixed(2)}`);
  summary(`(c) ${CONTENDERS}-way contention on one date`, CONTENDERS, contention);
  console.log(`    winners: ${winners} (must be 1)`);
  if (winners !== 1) process.exitCode = 1;
} finally {
  await bench.stop();
}
