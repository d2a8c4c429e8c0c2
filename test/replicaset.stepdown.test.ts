import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdempotencyKeyDoc } from '../src/idempotency';
import { type EmbeddedReplSet, startEmbeddedReplSet } from '../src/dev';
import { errorCode, type GraphQLResponse, startTestApp, type TestApp } from './support/app';
import { deposit, ledgerCheck, openAccount, transfer } from './support/ledger';
import { createResource, dayFromToday, holdDates, newKey } from './support/operations';
import { subscribeAvailability, waitForSubscribers, wsClient } from './support/subscriptions';

const CLIENTS = 8;
const CAPACITY = 2;
const OPENING_BALANCE = 5_000;
/** Each client stops after this many mutations, or LOAD_AFTER_ELECTION_MS after a new primary is seen, whichever comes first. */
const MAX_MUTATIONS_PER_CLIENT = 200;
const WARM_UP_MS = 1_500;
const LOAD_AFTER_ELECTION_MS = 3_000;
/** A forced step-down hands nothing over: the others elect a primary when their election timeout (10 s) runs out. */
const ELECTION_WITHIN_MS = 30_000;
/** A mutation is retried with its key for at most this long (each attempt waits on MongoDB at most the 8 s budget). */
const RETRY_FOR_MS = 20_000;
const LEASE_MS = 3_000;
const RETRYABLE = new Set(['SERVICE_UNAVAILABLE', 'IDEMPOTENCY_KEY_IN_USE']);

/** Its own replica set of three: this file deposes the primary. */
let replSet: EmbeddedReplSet;
let app: TestApp;
/** Reads the database for the checks, outside the app. */
let observer: MongoClient;
let ticker: NodeJS.Timeout;
beforeAll(async () => {
  replSet = await startEmbeddedReplSet({ members: 3 });
  app = await startTestApp({ mongoUri: replSet.uri, idempotencyLeaseMs: LEASE_MS });
  // The app's clock follows real time, so a key left `in_progress` by a request that could not give it back runs out its lease.
  ticker = setInterval(() => app.clock.advance(100), 100);
  observer = await new MongoClient(replSet.uri, { readConcern: { level: 'majority' } }).connect();
}, 60_000);
afterAll(async () => {
  clearInterval(ticker);
  await observer?.close();
  await app?.stop();
  await replSet?.stop();
});

/** One answer the API gave, with when it was sent and received. */
interface Attempt {
  sentAt: number;
  at: number;
  code?: string;
}

/** One mutation as a client saw it: a key, every attempt made with it, and the last answer. */
interface Mutation {
  kind: 'hold' | 'transfer';
  key: string;
  attempts: Attempt[];
  answer: GraphQLResponse;
}

/** Sends a mutation, retrying with the SAME key while the answer is retryable, with a small jittered backoff, for a bounded time. */
async function sendWithRetries(kind: Mutation['kind'], send: (key: string) => Promise<GraphQLResponse>): Promise<Mutation> {
  const key = newKey();
  const attempts: Attempt[] = [];
  const giveUpAt = Date.now() + RETRY_FOR_MS;
  for (;;) {
    const sentAt = Date.now();
    const answer = await send(key).catch((error: Error): GraphQLResponse => ({
      status: 0,
      errors: [{ message: error.message, extensions: { code: 'NO_ANSWER' } }],
    }));
    const code = errorCode(answer);
    attempts.push({ sentAt, at: Date.now(), code });
    if (!code || !RETRYABLE.has(code) || Date.now() > giveUpAt) return { kind, key, attempts, answer };
    await sleep(Math.min(1_000, 50 * 2 ** attempts.length) * (0.5 + Math.random()));
  }
}

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];

describe('when the primary of a three-member replica set steps down under load', () => {
  it('loses no acknowledged write, doubles no effect, and keeps the subscription delivering', async () => {
    const resource = await createResource(app, { capacity: CAPACITY });
    // A few contended dates and many quiet ones; the last day is kept for the subscription check.
    const hot = [1, 2, 3, 4].map((d) => dayFromToday(app, d));
    const quiet = Array.from({ length: 120 }, (_, i) => dayFromToday(app, 10 + i));
    const afterwards = dayFromToday(app, 200);
    const users = Array.from({ length: CLIENTS }, (_, i) => `stepdown-${i}`);
    const tokens = await Promise.all(users.map((user) => app.token(user)));
    const accounts: string[] = [];
    for (const token of tokens) {
      const account = await openAccount(app, token);
      await deposit(app, account, OPENING_BALANCE);
      accounts.push(account);
    }

    const watcher = wsClient(app, await app.token('watcher'), { lazy: false });
    const live = subscribeAvailability(watcher, { resourceId: resource.id, from: hot[0], to: afterwards });
    await waitForSubscribers(app, 1);

    const mutations: Mutation[] = [];
    let stopping = false;
    const client = async (i: number) => {
      for (let n = 0; n < MAX_MUTATIONS_PER_CLIENT && !stopping; n += 1) {
        if (n % 2 === 0) {
          const dates = Math.random() < 0.5 ? [pick(hot)] : [...new Set([pick(quiet), pick(quiet)])];
          mutations.push(await sendWithRetries('hold', (key) => holdDates(app, tokens[i], resource.id, dates, key)));
        } else {
          const to = pick(accounts.filter((_, j) => j !== i));
          const amount = 1 + Math.floor(Math.random() * 300);
          mutations.push(await sendWithRetries('transfer', (key) => transfer(app, tokens[i], accounts[i], to, amount, key)));
        }
      }
    };
    const load = Promise.all(users.map((_, i) => client(i)));

    await sleep(WARM_UP_MS);
    const { primary } = await observer.db('admin').command({ hello: 1 });
    const deposed = new MongoClient(`mongodb://${primary}/?directConnection=true`);
    const stepDownAt = Date.now();
    // Barred from re-election for longer than the others' election timeout (10 s): with 10 s it
    // sometimes won the election itself. The server may drop the connection it answers on.
    await deposed
      .db('admin')
      .command({ replSetStepDown: 60, force: true })
      .catch(() => undefined);
    await deposed.close();
    const successor = await newPrimary(primary);
    const electedAfterMs = Date.now() - stepDownAt;
    await sleep(LOAD_AFTER_ELECTION_MS);
    stopping = true;
    await load;

    // The subscription opened before the step-down still delivers a hold made after it.
    const late = await holdDates(app, tokens[0], resource.id, [afterwards]);
    expect(late.data?.holdDates.__typename).toBe('DatesHeld');
    await live.waitFor((event) => event.date === afterwards, 20_000);

    const figures = await checkDatabase(mutations, { resourceId: resource.id, accounts });
    const outage = outageOf(mutations, stepDownAt);
    console.log('replica set step-down:', { deposed: primary, successor, electedAfterMs, ...outage, ...figures });

    expect(figures.unexpected).toEqual([]);
    expect(figures.unresolved).toBe(0);
    expect(figures.lost).toEqual([]);
    expect(figures.doubleEffects).toBe(0);
    expect(figures.ledger).toMatchObject({ ok: true, problems: [] });
    expect(figures.balanceTotal).toBe(CLIENTS * OPENING_BALANCE);
    expect(figures.overCapacity).toEqual([]);
    expect(figures.claimProblems).toEqual([]);
    expect(figures.acknowledgedHolds).toBeGreaterThan(0);
    expect(figures.acknowledgedTransfers).toBeGreaterThan(0);
    expect(outage.mutationsAfterStepDown).toBeGreaterThan(0);
    // The election timeout (10 s), then a server selection (at most 3 s) and a backoff.
    expect(outage.stepDownToFirstNewSuccessSeconds).toBeLessThan(25);
    live.unsubscribe();
    await watcher.dispose();
  }, 90_000);
});

/** Polls until the set names a primary other than `deposed`. */
async function newPrimary(deposed: string): Promise<string> {
  const deadline = Date.now() + ELECTION_WITHIN_MS;
  for (;;) {
    const hello = await observer
      .db('admin')
      .command({ hello: 1 })
      .catch(() => undefined);
    if (hello?.primary && hello.primary !== deposed) return hello.primary;
    if (Date.now() > deadline) throw new Error(`no new primary within ${ELECTION_WITHIN_MS} ms`);
    await sleep(50);
  }
}

/**
 * First failure after the step-down → first success of a request sent after that failure (a
 * request in flight may still succeed once the driver retried it, which says nothing about when
 * new requests are served again).
 */
function outageOf(mutations: Mutation[], stepDownAt: number) {
  const attempts = mutations.flatMap((m) => m.attempts);
  const failures = attempts.filter((a) => a.code && a.at >= stepDownAt).sort((a, b) => a.at - b.at);
  const firstFailure = failures[0];
  const recovered = firstFailure && attempts.filter((a) => !a.code && a.sentAt >= firstFailure.at).sort((a, b) => a.at - b.at)[0];
  const codes: Record<string, number> = {};
  for (const failure of failures) codes[failure.code!] = (codes[failure.code!] ?? 0) + 1;
  const servedAgain = attempts.filter((a) => !a.code && a.sentAt >= stepDownAt).sort((a, b) => a.at - b.at)[0];
  return {
    outageSeconds: firstFailure ? ((recovered?.at ?? Infinity) - firstFailure.at) / 1000 : 0,
    stepDownToFirstNewSuccessSeconds: ((servedAgain?.at ?? Infinity) - stepDownAt) / 1000,
    firstFailureAfterStepDownMs: firstFailure ? firstFailure.at - stepDownAt : null,
    failedAttempts: codes,
    retriedMutations: mutations.filter((m) => m.attempts.length > 1).length,
    mutationsAfterStepDown: mutations.filter((m) => m.attempts[0].sentAt >= stepDownAt).length,
  };
}

/** Everything the clients were told, held against what the database says (majority reads). */
async function checkDatabase(mutations: Mutation[], context: { resourceId: string; accounts: string[] }) {
  const db = observer.db(app.db.databaseName);
  const acknowledged = mutations.filter((m) => m.answer.data);
  const unexpected = mutations.filter((m) => m.answer.errors && !RETRYABLE.has(errorCode(m.answer)!)).map((m) => m.answer.errors);
  const unresolved = mutations.filter((m) => m.answer.errors && RETRYABLE.has(errorCode(m.answer)!)).length;
  const held = acknowledged.filter((m) => m.answer.data.holdDates?.__typename === 'DatesHeld');
  const moved = acknowledged.filter((m) => m.answer.data.transfer?.__typename === 'TransferCompleted');

  const holds = await db
    .collection('holds')
    .find({ resourceId: new ObjectId(context.resourceId) })
    .toArray();
  const transfers = await db.collection('transfers').find().toArray();
  const holdIds = new Set(holds.map((h) => h._id.toHexString()));
  const transferIds = new Set(transfers.map((t) => t._id.toHexString()));
  const lost = [
    ...held.map((m) => m.answer.data.holdDates.hold.id).filter((id: string) => !holdIds.has(id)),
    ...moved.map((m) => m.answer.data.transfer.transfer.id).filter((id: string) => !transferIds.has(id)),
  ];

  // Each key's stored result names the one effect it committed; an effect no key names, or a key
  // whose client was told something else than what committed, is a double effect.
  const keys = await db.collection<IdempotencyKeyDoc>('idempotencyKeys').find({ state: 'completed' }).toArray();
  const storedByKey = new Map(
    keys.map((k) => [k.key, k.result as { __typename: string; hold?: { _id: ObjectId }; transfer?: { _id: ObjectId } }]),
  );
  const named = new Set([...storedByKey.values()].flatMap((r) => [r.hold?._id.toHexString(), r.transfer?._id.toHexString()]));
  const unnamedHolds = holds.filter((h) => !named.has(h._id.toHexString())).length;
  const unnamedTransfers = transfers.filter((t) => !named.has(t._id.toHexString())).length;
  const toldOtherwise = acknowledged.filter((m) => {
    const stored = storedByKey.get(m.key);
    const told = m.kind === 'hold' ? m.answer.data.holdDates : m.answer.data.transfer;
    const effectId = (r: { hold?: { _id?: ObjectId; id?: string }; transfer?: { _id?: ObjectId; id?: string } }) =>
      String(r.hold?._id ?? r.hold?.id ?? r.transfer?._id ?? r.transfer?.id ?? '');
    return !stored || stored.__typename !== told.__typename || effectId(stored) !== effectId(told);
  }).length;

  // Capacity: no date over it; every claim belongs to a hold that exists, and each hold has exactly one claim per date.
  const slots = await db
    .collection('dateSlots')
    .find({ resourceId: new ObjectId(context.resourceId) })
    .toArray();
  const overCapacity = slots.filter((s) => s.claims.length > s.capacity).map((s) => s.date);
  const claimCounts = new Map<string, number>();
  for (const slot of slots)
    for (const claim of slot.claims)
      claimCounts.set(`${claim.holdId}@${slot.date}`, (claimCounts.get(`${claim.holdId}@${slot.date}`) ?? 0) + 1);
  const claimProblems = [
    ...[...claimCounts.keys()].filter((k) => !holdIds.has(k.split('@')[0])),
    ...holds.flatMap((h) => h.dates.filter((d: string) => claimCounts.get(`${h._id}@${d}`) !== 1).map((d: string) => `${h._id}@${d}`)),
  ];

  const balances = await db
    .collection('accounts')
    .find({ _id: { $in: context.accounts.map((id) => new ObjectId(id)) } })
    .toArray();
  return {
    mutations: mutations.length,
    acknowledgedHolds: held.length,
    unavailableHolds: acknowledged.filter((m) => m.answer.data.holdDates?.__typename === 'DatesUnavailable').length,
    acknowledgedTransfers: moved.length,
    insufficientFunds: acknowledged.filter((m) => m.answer.data.transfer?.__typename === 'InsufficientFunds').length,
    unresolved,
    unexpected,
    lost,
    doubleEffects: unnamedHolds + unnamedTransfers + toldOtherwise,
    claimProblems,
    overCapacity,
    balanceTotal: balances.reduce((sum, a) => sum + a.balance, 0),
    ledger: await ledgerCheck(app),
  };
}
