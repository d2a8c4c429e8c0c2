import { type ClientSession, ObjectId } from 'mongodb';
import { claimUpdate, HOLD_TRANSACTION } from './holds.claim';
import { type LoadFactory, sharedGraphqlClient, sharedJsonClient, sharedMongoClient, warm, warmGraphQL, warmMongo } from './support';

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

type HttpParams = Targets & { url: string; tokens: string[]; keyPrefix: string };

/** Operation `i` over HTTP: user `tokens[i mod n]`, its target, a fresh idempotency key. */
const holdRequest = (params: HttpParams, i: number) => {
  const { resourceId, date } = target(params, i);
  return {
    token: params.tokens[i % params.tokens.length],
    input: { resourceId, dates: [date], idempotencyKey: `${params.keyPrefix}-${i}` },
  };
};

const HOLD = `mutation($input: HoldDatesInput!) { holdDates(input: $input) { __typename } }`;

/** `holdDates` over HTTP: `held` or `unavailable`. */
export const viaGraphQL: LoadFactory<HttpParams> = async (params, worker) => {
  const client = sharedGraphqlClient(params.url);
  await warmGraphQL(client, worker.concurrency);
  return {
    async run(i) {
      const { token, input } = holdRequest(params, i);
      const data = await client.gql<{ holdDates: { __typename: string } }>(token, HOLD, { input });
      if (data.holdDates.__typename === 'DatesHeld') return 'held';
      if (data.holdDates.__typename === 'DatesUnavailable') return 'unavailable';
      throw new Error(`unexpected ${data.holdDates.__typename}`);
    },
  };
};

/**
 * The hand-written endpoint (`holds.handwritten.ts`) over HTTP, the same request as `holdDates`'
 * input: `held` or `unavailable`.
 */
export const viaHandwritten: LoadFactory<HttpParams> = async (params, worker) => {
  const client = sharedJsonClient(params.url);
  // Unauthenticated: a cheap 401 that opens the socket.
  await warm(worker.concurrency, () => client.post(undefined, {}));
  return {
    async run(i) {
      const { token, input } = holdRequest(params, i);
      const { status, body } = await client.post<{ held: boolean }>(token, input);
      if (status !== 200) throw new Error(`HTTP ${status}: ${JSON.stringify(body).slice(0, 300)}`);
      return body.held ? 'held' : 'unavailable';
    },
  };
};

type RawParams = Targets & { uri: string; dbName: string };

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
        session.withTransaction(async () => {
          counters.attempts += 1;
          const { filter, update, hold } = claimUpdate(resource, date, new ObjectId(), new Date());
          const claimed = await slots.findOneAndUpdate(filter, update, { session, projection: { _id: 1 } });
          if (!claimed) throw new Error(`raw claim refused on ${date}`);
          await holds.insertOne(hold, { session });
        }, HOLD_TRANSACTION),
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
