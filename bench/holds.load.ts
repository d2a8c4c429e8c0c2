import { type ClientSession, type Document, ObjectId } from 'mongodb';
import { type LoadFactory, sharedGraphqlClient, sharedMongoClient, warmGraphQL, warmMongo } from './support';

/**
 * The operations of `npm run bench:holds`, run in load workers. Operation `i` targets
 * `resources[⌊i / dates.length⌋ mod resources.length]` on `dates[i mod dates.length]`: one resource
 * and one date make every operation contend for the same slot.
 */
export interface Targets {
  resources: string[];
  dates: string[];
}

const target = ({ resources, dates }: Targets, i: number) => ({
  resourceId: resources[Math.floor(i / dates.length) % resources.length],
  date: dates[i % dates.length],
});

const HOLD = `mutation($input: HoldDatesInput!) { holdDates(input: $input) { __typename } }`;

/** `holdDates` over HTTP, user `tokens[i mod n]`, a fresh idempotency key each: `held` or `unavailable`. */
export const viaGraphQL: LoadFactory<Targets & { url: string; tokens: string[]; keyPrefix: string }> = async (params, worker) => {
  const client = sharedGraphqlClient(params.url);
  await warmGraphQL(client, worker.concurrency);
  return {
    async run(i) {
      const { resourceId, date } = target(params, i);
      const data = await client.gql<{ holdDates: { __typename: string } }>(params.tokens[i % params.tokens.length], HOLD, {
        input: { resourceId, dates: [date], idempotencyKey: `${params.keyPrefix}-${i}` },
      });
      if (data.holdDates.__typename === 'DatesHeld') return 'held';
      if (data.holdDates.__typename === 'DatesUnavailable') return 'unavailable';
      throw new Error(`unexpected ${data.holdDates.__typename}`);
    },
  };
};

type RawParams = Targets & { uri: string; dbName: string };

/** The server's claim: fewer live claims (booked, or held and unexpired) than capacity; expired ones dropped. */
function claimUpdate(resourceId: ObjectId, date: string, holdId: ObjectId, now: Date) {
  const live: Document = {
    $filter: {
      input: '$claims',
      as: 'claim',
      cond: { $or: [{ $eq: ['$$claim.state', 'booked'] }, { $gt: ['$$claim.expiresAt', now] }] },
    },
  };
  const claim = { holdId, userId: 'raw', state: 'held', expiresAt: new Date(now.getTime() + 1_800_000) };
  return {
    filter: { resourceId, date, $expr: { $lt: [{ $size: live }, '$capacity'] } },
    update: [{ $set: { claims: { $concatArrays: [live, [{ $literal: claim }]] }, version: { $add: ['$version', 1] } } }],
    claim,
  };
}

/**
 * The raw transaction `holdDates` runs for one date, with the driver directly: the conditional
 * claim and the hold document, snapshot reads and majority commit, the driver's retries.
 */
export const rawTransaction: LoadFactory<RawParams> = async (params, worker) => {
  const client = await sharedMongoClient(params.uri);
  await warmMongo(client, worker.concurrency);
  const db = client.db(params.dbName);
  const slots = db.collection('dateSlots');
  const holds = db.collection('holds');
  const counters = { transactions: 0, attempts: 0 };
  return {
    counters,
    async run(i) {
      const { resourceId, date } = target(params, i);
      const resource = new ObjectId(resourceId);
      counters.transactions += 1;
      await client.withSession((session: ClientSession) =>
        session.withTransaction(
          async () => {
            counters.attempts += 1;
            const now = new Date();
            const holdId = new ObjectId();
            const { filter, update, claim } = claimUpdate(resource, date, holdId, now);
            const claimed = await slots.findOneAndUpdate(filter, update, { session, projection: { _id: 1 } });
            if (!claimed) throw new Error(`raw claim refused on ${date}`);
            await holds.insertOne(
              {
                _id: holdId,
                resourceId: resource,
                userId: 'raw',
                dates: [date],
                amount: 100,
                currency: 'EUR',
                state: 'held',
                expiresAt: claim.expiresAt,
                createdAt: now,
                updatedAt: now,
              },
              { session },
            );
          },
          { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' }, readPreference: 'primary' },
        ),
      );
      return 'held';
    },
  };
};

/** The claim alone: one `findOneAndUpdate` (majority write concern), no transaction, no hold: `won` or `lost`. */
export const rawClaim: LoadFactory<RawParams> = async (params, worker) => {
  const client = await sharedMongoClient(params.uri);
  await warmMongo(client, worker.concurrency);
  const slots = client.db(params.dbName).collection('dateSlots');
  return {
    async run(i) {
      const { resourceId, date } = target(params, i);
      const { filter, update } = claimUpdate(new ObjectId(resourceId), date, new ObjectId(), new Date());
      const claimed = await slots.findOneAndUpdate(filter, update, { projection: { _id: 1 }, writeConcern: { w: 'majority' } });
      return claimed ? 'won' : 'lost';
    },
  };
};
