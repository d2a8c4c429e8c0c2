// Proves G4 (README › Guarantees).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Document, MongoClient, ObjectId } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { errorResponse } from '../src/errorResponse';
import { type GraphQLResponse, startTestApp, type TestApp } from './support/app';
import { ACCOUNT, DEPOSIT, deposit, ledgerCheck, openAccount, transfer } from './support/ledger';
import { createResource, dayFromToday, holdDates, newKey, RELEASE_HOLD } from './support/operations';
import { checkoutEvent, deliver, holdAndCheckout, startTopUp, topUpEvent } from './support/payments';
import { startStripeProxy, unexpectedState } from './support/stripeProxy';
import { type Answer, answeredTheSame, moneyOperations, type Operation, type Request, type Writes } from './support/failpointOperations';

/**
 * Every failpoint names this app's connections (`data.appName`), so the other test files running
 * on the shared mongod at the same time are never hit.
 */
const APP_NAME = `failpoints-${randomUUID().slice(0, 8)}`;

let app: TestApp;
/** Not named APP_NAME: sets failpoints and reads the database without tripping them. */
let observer: MongoClient;
/** In front of stripe-mock, to refuse a capture as Stripe would. */
let stripe: Awaited<ReturnType<typeof startStripeProxy>>;
beforeAll(async () => {
  stripe = await startStripeProxy(inject('stripeApiBase'));
  app = await startTestApp({ appName: APP_NAME, stripeApiBase: stripe.url });
  observer = await new MongoClient(inject('mongoUri')).connect();
});
afterEach(() => failpointOff());
afterAll(async () => {
  await failpointOff();
  await observer?.close();
  await app?.stop();
  await stripe?.stop();
});

const db = (target: TestApp) => observer.db(target.db.databaseName);

/** Arms the failpoint for `target`'s connections; answers how often it had fired before (mongod counts over its life). */
async function failpoint(target: string, mode: 'alwaysOn' | { times: number }, data: Document): Promise<number> {
  const { count } = await observer.db('admin').command({ configureFailPoint: 'failCommand', mode, data: { ...data, appName: target } });
  return count as number;
}

/** Turns the failpoint off; answers how often it has fired in all. */
async function failpointOff(): Promise<number> {
  if (!observer) return 0;
  const { count } = await observer.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
  return count as number;
}

/** No date of the resource holds more claims than its capacity, and the hold has exactly one claim on each of its dates. */
async function expectClaims(target: TestApp, resourceId: string, dates: string[], holdId: string, state: 'held' | 'booked') {
  const slots = await db(target)
    .collection('dateSlots')
    .find({ resourceId: new ObjectId(resourceId) })
    .toArray();
  expect(slots.filter((slot) => slot.claims.length > slot.capacity)).toEqual([]);
  for (const date of dates) {
    const mine = slots.find((slot) => slot.date === date)!.claims.filter((c: Document) => c.holdId.toHexString() === holdId);
    expect(mine).toEqual([expect.objectContaining({ state })]);
  }
}

const duplicate = (answer: Answer) =>
  expect(answer).toEqual({ status: 200, body: { received: true, handled: false, reason: 'duplicate' } });

/** The checks of a request that holds `dates` of `resourceId` for `user`: answered DatesHeld, the same on repeat, in the database once. */
function heldOnce(target: TestApp, resourceId: string, user: string, dates: string[]): Omit<Request, 'act'> {
  let holdId = '';
  return {
    applied(answer) {
      const { data, errors } = answer as GraphQLResponse;
      expect(errors).toBeUndefined();
      expect(data.holdDates.__typename).toBe('DatesHeld');
      holdId = data.holdDates.hold.id;
    },
    repeated: answeredTheSame,
    async inDatabase() {
      const holds = await db(target).collection('holds').find({ userId: user }).toArray();
      expect(holds.map((h) => [h._id.toHexString(), h.state])).toEqual([[holdId, 'held']]);
      await expectClaims(target, resourceId, dates, holdId, 'held');
    },
  };
}

const HOLD: Operation = {
  name: 'holdDates',
  webhook: false,
  writes: { modify: { command: 'findAndModify', collection: 'dateSlots' }, insert: { command: 'insert', collection: 'holds' } },
  async prepare(target, user) {
    const resource = await createResource(target, { capacity: 1 });
    const token = await target.token(user);
    const dates = [dayFromToday(target, 10), dayFromToday(target, 11)];
    const key = newKey();
    return { act: () => holdDates(target, token, resource.id, dates, key), ...heldOnce(target, resource.id, user, dates) };
  },
};

/**
 * A hold answered in a batch: straight to the hold service, in one tick, so the blocker finds the
 * lane free and runs alone while the target and its companions (other dates, other users) queue
 * behind it and share ONE set-oriented transaction: the claims' bulkWrite is an `update` on
 * dateSlots, the holds one `insert`. A batch that must retry is split, so a fault on the batch's own
 * writes may fire only once (its orders then run alone, with findAndModify). Answers are put in the
 * shape an HTTP answer has (status from the one error table), so the checks are the other operations'.
 */
const HOLD_BATCH: Operation = {
  name: 'holdDates in a batch',
  webhook: false,
  firesAtLeastOnce: true,
  writes: { modify: { command: 'update', collection: 'dateSlots' }, insert: { command: 'insert', collection: 'holds' } },
  async prepare(target, user) {
    const resource = await createResource(target, { capacity: 1 });
    const companions = [`${user}-c1`, `${user}-c2`, `${user}-c3`];
    const key = newKey();
    const companionKeys = companions.map(() => newKey());
    const dates = [dayFromToday(target, 10), dayFromToday(target, 11)];
    const holdsOf = (id: string) => db(target).collection('holds').find({ userId: id }).toArray();
    const hold = (id: string, on: string[], idempotencyKey: string): Promise<Answer> =>
      target.app.services.holds
        .holdDates({ id, role: 'user', suspended: false }, { resourceId: resource.id, dates: on, idempotencyKey })
        .then(
          (result) => ({
            status: 200,
            data: {
              holdDates:
                result.__typename === 'DatesHeld' ? { __typename: result.__typename, hold: { id: String(result.hold._id) } } : result,
            },
          }),
          (error: unknown) => {
            const { status, extensions, message } = errorResponse(error);
            return { status, errors: [{ message, extensions }] };
          },
        );
    const own = heldOnce(target, resource.id, user, dates);
    let blocks = 0;
    return {
      async act() {
        blocks += 1;
        const [, answer] = await Promise.all([
          hold(`${user}-blocker`, [dayFromToday(target, 100 + blocks)], newKey()),
          hold(user, dates, key),
          ...companions.map((id, i) => hold(id, [dayFromToday(target, 20 + i)], companionKeys[i])),
        ]);
        return answer;
      },
      ...own,
      async inDatabase() {
        await own.inDatabase();
        for (const [i, id] of companions.entries()) {
          const [companion, ...more] = await holdsOf(id);
          expect(more).toEqual([]);
          await expectClaims(target, resource.id, [dayFromToday(target, 20 + i)], companion._id.toHexString(), 'held');
        }
      },
    };
  },
};

const TRANSFER: Operation = {
  name: 'transfer',
  webhook: false,
  writes: { modify: { command: 'update', collection: 'accounts' }, insert: { command: 'insert', collection: 'transfers' } },
  async prepare(target, user) {
    const token = await target.token(user);
    const from = await openAccount(target, token);
    const to = await openAccount(target, token);
    await deposit(target, from, 1_000);
    const key = newKey();
    const balance = async (id: string) => (await target.gql(token, ACCOUNT, { id })).data.account.balance as number;
    let transferId = '';
    return {
      act: () => transfer(target, token, from, to, 300, key),
      applied(answer) {
        const { data, errors } = answer as GraphQLResponse;
        expect(errors).toBeUndefined();
        expect(data.transfer.__typename).toBe('TransferCompleted');
        transferId = data.transfer.transfer.id;
      },
      repeated: answeredTheSame,
      async inDatabase() {
        // Σ balances is what was deposited: the money moved once, and nothing appeared or vanished.
        expect([await balance(from), await balance(to)]).toEqual([700, 300]);
        const transfers = await db(target).collection('transfers').find({ initiatedBy: user }).toArray();
        expect(transfers.map((t) => t._id.toHexString())).toEqual([transferId]);
        expect(await db(target).collection('ledgerEntries').countDocuments({ transferId: transfers[0]._id })).toBe(2);
        expect(await ledgerCheck(target)).toMatchObject({ ok: true, problems: [] });
      },
    };
  },
};

/** A held hold with its Checkout opened, the completed event Stripe sends once its card is authorized, and the hold's bookings. */
async function cardCheckout(target: TestApp, user: string, days: number[]) {
  const resource = await createResource(target, { capacity: 1 });
  const token = await target.token(user);
  const dates = days.map((day) => dayFromToday(target, day));
  const checkout = await holdAndCheckout(target, token, resource.id, dates);
  const holdId = new ObjectId(checkout.holdId);
  return {
    resource,
    token,
    dates,
    checkout,
    holdId,
    event: checkoutEvent('checkout.session.completed', checkout),
    bookings: () => db(target).collection('bookings').find({ holdId }).toArray(),
  };
}

const CONFIRM: Operation = {
  name: "the webhook's confirm of a hold whose card was authorized (its capture recorded)",
  webhook: true,
  writes: { modify: { command: 'update', collection: 'dateSlots' }, insert: { command: 'insert', collection: 'bookings' } },
  async prepare(target, user) {
    const { resource, dates, checkout, holdId, event, ...card } = await cardCheckout(target, user, [20, 21]);
    return {
      act: () => deliver(target, event),
      applied: (answer) => expect(answer).toEqual({ status: 200, body: { received: true, handled: true, outcome: 'confirmed' } }),
      repeated: duplicate,
      async inDatabase() {
        const bookings = await card.bookings();
        expect(bookings.map((b) => b.status)).toEqual(['CONFIRMED']);
        expect(await db(target).collection('holds').findOne({ _id: holdId })).toMatchObject({
          state: 'confirmed',
          bookingId: bookings[0]._id,
        });
        await expectClaims(target, resource.id, dates, checkout.holdId, 'booked');
        expect(
          await db(target)
            .collection('stripeEvents')
            .find({ _id: event.id as never })
            .toArray(),
        ).toEqual([expect.objectContaining({ outcome: 'confirmed' })]);
        expect(await authorizationsOf(target, bookings[0]._id)).toEqual([expect.objectContaining({ action: 'capture', state: 'done' })]);
      },
    };
  },
};

const authorizationsOf = (target: TestApp, bookingId: ObjectId) =>
  db(target).collection('cardAuthorizations').find({ _id: bookingId }).toArray();

const VOID: Operation = {
  name: "the webhook's void of a card authorization whose hold was released",
  webhook: true,
  // The void is recorded by an upsert: an update on cardAuthorizations.
  writes: { modify: { command: 'update', collection: 'cardAuthorizations' }, insert: { command: 'insert', collection: 'bookings' } },
  async prepare(target, user) {
    const card = await cardCheckout(target, user, [22]);
    await target.gql(card.token, RELEASE_HOLD, { input: { holdId: card.checkout.holdId } });
    return {
      act: () => deliver(target, card.event),
      applied: (answer) => expect(answer).toEqual({ status: 200, body: { received: true, handled: true, outcome: 'void_due' } }),
      repeated: duplicate,
      async inDatabase() {
        const bookings = await card.bookings();
        expect(bookings.map((b) => b.status)).toEqual(['VOIDED']);
        expect(await authorizationsOf(target, bookings[0]._id)).toEqual([expect.objectContaining({ action: 'void', state: 'done' })]);
        expect(await db(target).collection('refunds').countDocuments({ _id: bookings[0]._id })).toBe(0);
      },
    };
  },
};

/**
 * A confirmed booking whose capture Stripe refuses for good: its own transaction marks the capture
 * refused, the booking VOIDED and gives the dates back. The event was applied before (its capture
 * then failed to reach Stripe), so every act is a redelivery, which sends the pending capture.
 */
const UNCAPTURABLE: Operation = {
  name: 'the release of a booking whose card authorization Stripe refuses to capture',
  webhook: true,
  writes: { modify: { command: 'findAndModify', collection: 'bookings' }, insert: { command: 'update', collection: 'cardAuthorizations' } },
  async prepare(target, user) {
    const { resource, checkout, event, ...card } = await cardCheckout(target, user, [23, 24]);
    const capturePath = new RegExp(`^/v1/payment_intents/${checkout.paymentIntentId}/capture$`);
    stripe.refuse(capturePath, { status: 400, error: { type: 'api_error', code: 'processing_error', message: 'try again' } });
    expect((await deliver(target, event)).status).toBe(500);
    stripe.refuse(capturePath, unexpectedState(checkout.paymentIntentId, 'canceled'));
    return {
      act: () => deliver(target, event),
      applied: duplicate,
      repeated: duplicate,
      async inDatabase() {
        const bookings = await card.bookings();
        expect(bookings.map((b) => b.status)).toEqual(['VOIDED']);
        expect(await authorizationsOf(target, bookings[0]._id)).toEqual([expect.objectContaining({ action: 'capture', state: 'refused' })]);
        const slots = await db(target)
          .collection('dateSlots')
          .find({ resourceId: new ObjectId(resource.id) })
          .toArray();
        expect(slots.flatMap((slot) => slot.claims)).toEqual([]);
      },
    };
  },
};

const TOP_UP_CREDIT: Operation = {
  name: "the webhook's credit of a paid top-up",
  webhook: true,
  writes: { modify: { command: 'findAndModify', collection: 'topUps' }, insert: { command: 'insert', collection: 'ledgerEntries' } },
  async prepare(target, user) {
    const token = await target.token(user);
    const account = await openAccount(target, token);
    const started = (await startTopUp(target, token, account, 1_200)).data.topUp;
    const event = topUpEvent('checkout.session.completed', started);
    return {
      act: () => deliver(target, event),
      applied: (answer) => expect(answer).toEqual({ status: 200, body: { received: true, handled: true, outcome: 'credited' } }),
      repeated: duplicate,
      async inDatabase() {
        const deposits = await db(target)
          .collection('ledgerEntries')
          .find({ accountId: new ObjectId(account), kind: 'DEPOSIT' })
          .toArray();
        expect(deposits.map((e) => e.amount)).toEqual([1_200]);
        expect((await target.gql(token, ACCOUNT, { id: account })).data.account.balance).toBe(1_200);
        expect(
          await db(target)
            .collection('topUps')
            .findOne({ _id: new ObjectId(started.topUpId) }),
        ).toMatchObject({ state: 'credited' });
        expect(await ledgerCheck(target)).toMatchObject({ ok: true, problems: [] });
      },
    };
  },
};

const OPERATIONS = [HOLD, HOLD_BATCH, TRANSFER, CONFIRM, VOID, UNCAPTURABLE, TOP_UP_CREDIT, ...moneyOperations(db)];

interface Fault {
  title: (writes: Writes) => string;
  times: number;
  data: (writes: Writes) => Document;
}

const on = (write: { command: string; collection: string }) => ({
  failCommands: [write.command],
  namespace: `${app.db.databaseName}.${write.collection}`,
});

const FAULTS: Fault[] = [
  {
    // Fails before committing; the driver labels it UnknownTransactionCommitResult and the commit is retried.
    title: () => 'commitTransaction fails with ShutdownInProgress (91) three times',
    times: 3,
    data: () => ({ failCommands: ['commitTransaction'], errorCode: 91 }),
  },
  {
    // The commit happens; only the acknowledgement is lost, and the retried commit finds it done.
    title: () => 'commitTransaction commits but answers a writeConcernError (91) three times',
    times: 3,
    data: () => ({ failCommands: ['commitTransaction'], writeConcernError: { code: 91, errmsg: 'injected' } }),
  },
  {
    // Never reaches the server, which keeps the transaction open; the retried commit commits it.
    title: () => 'commitTransaction loses its connection twice',
    times: 2,
    data: () => ({ failCommands: ['commitTransaction'], closeConnection: true }),
  },
  {
    title: ({ modify }) => `${modify.command} on ${modify.collection} hits a WriteConflict (112) twice`,
    times: 2,
    data: ({ modify }) => ({ ...on(modify), errorCode: 112 }),
  },
  {
    title: ({ insert }) => `${insert.command} into ${insert.collection} hits a WriteConflict (112) twice`,
    times: 2,
    data: ({ insert }) => ({ ...on(insert), errorCode: 112 }),
  },
  {
    title: ({ modify }) => `${modify.command} on ${modify.collection} loses its connection twice`,
    times: 2,
    data: ({ modify }) => ({ ...on(modify), closeConnection: true }),
  },
  {
    title: ({ insert }) => `${insert.command} into ${insert.collection} loses its connection twice`,
    times: 2,
    data: ({ insert }) => ({ ...on(insert), closeConnection: true }),
  },
];

let users = 0;

for (const operation of OPERATIONS) {
  describe(`when ${operation.name} meets a failing command`, () => {
    for (const fault of FAULTS) {
      it(`${fault.title(operation.writes)}: takes effect exactly once and answers what committed`, async () => {
        users += 1;
        const request = await operation.prepare(app, `fp-${users}`);
        const before = await failpoint(APP_NAME, { times: fault.times }, fault.data(operation.writes));
        const answer = await request.act();
        // Off before looking: the checks run transactions (ledgerCheck) the failpoint would hit.
        const fired = (await failpointOff()) - before;
        if (operation.firesAtLeastOnce) expect([fired >= 1, fired <= fault.times]).toEqual([true, true]);
        else expect(fired).toBe(fault.times);
        request.applied(answer);
        await request.inDatabase();
        request.repeated(await request.act(), answer);
        await request.inDatabase();
      });
    }
  });
}

function expectUnavailable(answer: Answer) {
  expect(answer.status).toBe(503);
  if ('errors' in answer) expect(answer.errors?.[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
}

const SHORT_LEASE_MS = 3_000;

/**
 * Retries the way a client does (the same key, or Stripe's redelivery) while the answer says to. A
 * request that could not give its key back in the same outage leaves it `in_progress` until its
 * lease ends: the app's clock is moved past the lease, as real time would move it.
 */
async function retryLikeAClient(target: TestApp, request: Request): Promise<Answer> {
  for (let attempt = 1; ; attempt += 1) {
    const answer = await request.act();
    const code = 'errors' in answer ? answer.errors?.[0].extensions?.code : undefined;
    if (answer.status !== 503 && code !== 'IDEMPOTENCY_KEY_IN_USE') return answer;
    if (attempt === 5) throw new Error(`still refused after ${attempt} attempts: ${JSON.stringify(answer)}`);
    if (code === 'IDEMPOTENCY_KEY_IN_USE') target.clock.advance(SHORT_LEASE_MS);
    else await sleep(500);
  }
}

describe('when the outcome of a commit stays unknown past the time budget', () => {
  const SHORT = `${APP_NAME}-short`;
  let short: TestApp;
  beforeAll(async () => {
    short = await startTestApp({ appName: SHORT, mongoTimeoutMs: 2_000, idempotencyLeaseMs: SHORT_LEASE_MS, stripeApiBase: stripe.url });
  });
  afterAll(() => short?.stop());

  const failures = [
    {
      // The delete is the request giving its key back, which fails in the same outage: the key stays taken until its lease ends.
      what: 'never committed, nor the key given back (ShutdownInProgress on every commit and delete)',
      committed: false,
      failure: { failCommands: ['commitTransaction', 'delete'], errorCode: 91 },
    },
    {
      // Left open on the server, the transaction would hold its locks for its 60 s lifetime: the retry and
      // anyone claiming the same dates would conflict with it all that time, unless the session is killed.
      what: 'never committed, its connection lost on every commit',
      committed: false,
      failure: { failCommands: ['commitTransaction'], closeConnection: true },
    },
    {
      what: 'committed but never acknowledged (a writeConcernError on every commit)',
      committed: true,
      failure: { failCommands: ['commitTransaction'], writeConcernError: { code: 91, errmsg: 'injected' } },
    },
  ];
  for (const operation of OPERATIONS) {
    for (const { what, committed, failure } of failures) {
      it(`${operation.name}, ${what}: answers retryable 503, and the retry finds the effect once`, async () => {
        users += 1;
        const request = await operation.prepare(short, `fp-${users}`);
        await failpoint(SHORT, 'alwaysOn', failure);
        const lost = await request.act();
        await failpointOff();
        expectUnavailable(lost);
        const retried = await retryLikeAClient(short, request);
        // A committed event is recorded with its effect, so its redelivery is a duplicate; a mutation's retry replays the stored answer.
        if (operation.webhook && committed) duplicate(retried);
        else request.applied(retried);
        await request.inDatabase();
        request.repeated(await request.act(), retried);
        await request.inDatabase();
      });
    }
  }
});

describe("when the idempotency key's own insert loses its connection past the driver's one retry", () => {
  const failKeyInserts = () =>
    failpoint(
      APP_NAME,
      { times: 2 },
      { failCommands: ['insert'], namespace: `${app.db.databaseName}.idempotencyKeys`, closeConnection: true },
    );

  it('deposit (its key claimed before the work) answers retryable 503 having written nothing, and the retry takes effect once', async () => {
    users += 1;
    const owner = await app.token(`fp-${users}`);
    const account = await openAccount(app, owner);
    const treasurer = await app.token(`fp-${users}-treasurer`, 'admin');
    const key = newKey();
    const act = () => app.gql(treasurer, DEPOSIT, { input: { accountId: account, amount: 500, idempotencyKey: key } });
    const keys = db(app).collection('idempotencyKeys');
    const keysBefore = await keys.countDocuments();
    await failKeyInserts();
    const lost = await act();
    await failpointOff();
    expectUnavailable(lost);
    expect(await keys.countDocuments()).toBe(keysBefore);
    const retried = await act();
    expect(retried.data.deposit.__typename).toBe('Deposited');
    expect(await act()).toEqual(retried);
    expect((await app.gql(owner, ACCOUNT, { id: account })).data.account.balance).toBe(500);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });

  for (const operation of [HOLD, TRANSFER]) {
    it(`${operation.name} (its key written in the effect’s transaction) runs the transaction again and takes effect once, with one key`, async () => {
      users += 1;
      const request = await operation.prepare(app, `fp-${users}`);
      const keys = db(app).collection('idempotencyKeys');
      const keysBefore = await keys.countDocuments();
      const before = await failKeyInserts();
      const answer = await request.act();
      expect((await failpointOff()) - before).toBe(2);
      request.applied(answer);
      await request.inDatabase();
      expect(await keys.countDocuments()).toBe(keysBefore + 1);
      request.repeated(await request.act(), answer);
      await request.inDatabase();
    });
  }
});
