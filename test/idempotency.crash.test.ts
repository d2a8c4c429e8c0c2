// Proves G3 (README › Guarantees).
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ObjectId } from 'mongodb';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { IdempotencyHooks, IdempotencyKeyDoc } from '../src/idempotency';
import { errorCode, type GraphQLResponse, startTestApp, type TestApp } from './support/app';
import { ACCOUNT, DEPOSIT, deposit, ledgerCheck, openAccount, transfer } from './support/ledger';
import { createResource, dayFromToday, holdDates, newKey } from './support/operations';
import { sessionExpiresAt } from '../src/payments/testing';
import { checkoutHold, collections } from './support/payments';

const LEASE_MS = 5_000;

/** Requests whose key is stalled stop right after claiming it until released, as a frozen or dying process would. */
const stalls = new Map<string, () => Promise<void>>();
const hooks: IdempotencyHooks = { afterKeyTaken: async (_scope, key) => stalls.get(key)?.() };

/** Stalls the first `count` requests that claim `key`; the rest run through. */
function stall(key: string, count = 1) {
  let claims = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  stalls.set(key, async () => {
    claims += 1;
    if (claims <= count) await released;
  });
  return { claims: () => claims, release };
}

const logged: Record<string, unknown>[] = [];
const logger = pino(
  { level: 'warn', base: undefined },
  new Writable({
    write(chunk, _encoding, done) {
      logged.push(JSON.parse(String(chunk)));
      done();
    },
  }),
);

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ idempotencyLeaseMs: LEASE_MS, idempotencyHooks: hooks, logger });
});
afterAll(() => app.stop());

const keys = (on = app) => on.db.collection<IdempotencyKeyDoc>('idempotencyKeys');

function expectInUse(response: GraphQLResponse) {
  expect(errorCode(response)).toBe('IDEMPOTENCY_KEY_IN_USE');
  expect(response.errors?.[0].extensions?.retryable).toBe(true);
}

/**
 * Request A claims the key and stalls. Until its lease has passed a retry is refused; at the lease
 * B takes the key over and does the work. Then A wakes up: it must be refused, and a third
 * request must replay B's answer. Returns B's answer.
 */
async function stallTakeOverAndWake(send: (key: string) => Promise<GraphQLResponse>) {
  const key = newKey();
  const stalled = stall(key);
  const first = send(key);
  await vi.waitFor(() => expect(stalled.claims()).toBe(1), { timeout: 10_000 });
  const { lockedUntil, createdAt, owner } = (await keys().findOne({ key }))!;
  expect(lockedUntil.getTime() - createdAt.getTime()).toBe(LEASE_MS);

  expectInUse(await send(key));
  app.clock.advance(lockedUntil.getTime() - app.clock.now().getTime() - 1);
  expectInUse(await send(key));
  app.clock.advance(1);
  const second = await send(key);
  expect(second.errors).toBeUndefined();
  expect(logged).toContainEqual(expect.objectContaining({ key, previousOwner: owner, msg: expect.stringMatching(/took over/) }));

  stalled.release();
  expectInUse(await first);
  expect(await send(key)).toEqual(second);
  expect(await keys().findOne({ key })).toMatchObject({ state: 'completed' });
  return second.data;
}

describe('when a request stalls after claiming its key and a retry takes it over', () => {
  it('holdDates (key written with its effect): the stalled request holds nobody back; woken, it answers the hold its retry made', async () => {
    // Capacity 2: the woken request's own claim would succeed; only its key, inserted in the same
    // transaction and already recorded by the retry, keeps it from making a second hold.
    const resource = await createResource(app, { capacity: 2 });
    const date = dayFromToday(app, 40);
    const token = await app.token('hold-crasher');
    const send = (key: string) => holdDates(app, token, resource.id, [date], key);
    const key = newKey();
    const stalled = stall(key);
    const first = send(key);
    await vi.waitFor(() => expect(stalled.claims()).toBe(1), { timeout: 10_000 });
    // Nothing is written before the work: a process that dies here leaves no key to wait out.
    expect(await keys().countDocuments({ key })).toBe(0);

    const second = await send(key);
    expect(second.errors).toBeUndefined();
    expect(second.data.holdDates.__typename).toBe('DatesHeld');
    stalled.release();
    expect(await first).toEqual(second);
    expect(await send(key)).toEqual(second);
    expect(await keys().findOne({ key })).toMatchObject({ state: 'completed' });

    const { holds, slots } = collections(app);
    expect(await holds.countDocuments({ userId: 'hold-crasher' })).toBe(1);
    const slot = await slots.findOne({ date, resourceId: (await holds.findOne({ userId: 'hold-crasher' }))!.resourceId });
    expect(slot!.claims.map((c) => c.holdId.toHexString())).toEqual([second.data.holdDates.hold.id]);
  });

  it('holdDates meeting a key left in progress by a request that claimed it first: waits for its lease, then takes it over', async () => {
    // What an instance of the earlier, claim-first version leaves behind when it dies mid-request.
    const resource = await createResource(app);
    const date = dayFromToday(app, 42);
    const token = await app.token('hold-inheritor');
    const key = newKey();
    const now = app.clock.now();
    const requestHash = createHash('sha256')
      .update(JSON.stringify({ dates: [date], resourceId: resource.id }))
      .digest('hex');
    await keys().insertOne({
      scope: 'hold-inheritor:holdDates',
      key,
      requestHash,
      state: 'in_progress',
      owner: 'a-dead-instance',
      lockedUntil: new Date(now.getTime() + LEASE_MS),
      createdAt: now,
      expiresAt: new Date(now.getTime() + 24 * 3600_000),
    });
    const send = () => holdDates(app, token, resource.id, [date], key);
    expectInUse(await send());
    expect(await collections(app).holds.countDocuments({ userId: 'hold-inheritor' })).toBe(0);
    app.clock.advance(LEASE_MS);
    const taken = await send();
    expect(taken.data.holdDates.__typename).toBe('DatesHeld');
    expect(await send()).toEqual(taken);
    expect(await keys().findOne({ key })).toMatchObject({ state: 'completed', owner: expect.not.stringMatching('a-dead-instance') });
    expect(await collections(app).holds.countDocuments({ userId: 'hold-inheritor' })).toBe(1);
  });

  it('transfer (key written with its effect): the retry moves the money at once; woken, the stalled request answers that transfer', async () => {
    const payer = await app.token('transfer-crasher');
    const from = await openAccount(app, payer);
    const to = await openAccount(app, payer);
    await deposit(app, from, 1_000);
    const send = (key: string) => transfer(app, payer, from, to, 300, key);
    const key = newKey();
    const stalled = stall(key);
    const first = send(key);
    await vi.waitFor(() => expect(stalled.claims()).toBe(1), { timeout: 10_000 });
    // Nothing is written before the work: a process that dies here leaves no key to wait out.
    expect(await keys().countDocuments({ key })).toBe(0);

    const second = await send(key);
    expect(second.data.transfer.__typename).toBe('TransferCompleted');
    stalled.release();
    // Its key insert collides with the recorded one, which aborts its transaction: it answers the stored transfer.
    expect(await first).toEqual(second);
    expect(await send(key)).toEqual(second);
    expect(await keys().findOne({ key })).toMatchObject({ state: 'completed' });

    const balance = async (id: string) => (await app.gql(payer, ACCOUNT, { id })).data.account.balance as number;
    expect([await balance(from), await balance(to)]).toEqual([700, 300]);
    expect(await app.db.collection('transfers').countDocuments({ initiatedBy: 'transfer-crasher' })).toBe(1);
    const transferId = (await app.db.collection('transfers').findOne({ initiatedBy: 'transfer-crasher' }))!._id;
    expect(await app.db.collection('ledgerEntries').countDocuments({ transferId })).toBe(2);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });

  it('deposit (key claimed first): the money moves once, and the ledger checks out', async () => {
    const owner = await app.token('deposit-crasher');
    const account = await openAccount(app, owner);
    const treasurer = await app.token('deposit-crasher-admin', 'admin');
    const answer = await stallTakeOverAndWake((idempotencyKey) =>
      app.gql(treasurer, DEPOSIT, { input: { accountId: account, amount: 300, idempotencyKey } }),
    );
    expect(answer.deposit.__typename).toBe('Deposited');
    expect((await app.gql(owner, ACCOUNT, { id: account })).data.account.balance).toBe(300);
    expect(await app.db.collection('ledgerEntries').countDocuments({ accountId: new ObjectId(account) })).toBe(1);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });

  it('checkoutHold: one Checkout Session is recorded on the hold, and both requests asked Stripe under one idempotency key', async () => {
    const resource = await createResource(app);
    const token = await app.token('checkout-crasher');
    const held = await holdDates(app, token, resource.id, [dayFromToday(app, 41)]);
    const holdId = held.data.holdDates.hold.id as string;
    const stripeKeys: string[] = [];
    const onRequest = (request: { method: string; path: string; idempotency_key?: string }) => {
      if (request.method === 'POST' && request.path === '/v1/checkout/sessions') stripeKeys.push(request.idempotency_key ?? '');
    };
    app.stripe.on('request', onRequest);
    const answer = await stallTakeOverAndWake((key) => checkoutHold(app, token, holdId, key));
    app.stripe.off('request', onRequest);
    expect(answer.checkoutHold.__typename).toBe('CheckoutStarted');
    // The retry asked Stripe under the key the first request would have used (derived from when
    // it claimed its idempotency key, not from the retry's later clock), so had the dead request
    // reached Stripe, real Stripe would answer the retry with that same session.
    const { createdAt } = (await keys().findOne({ scope: 'checkout-crasher:checkoutHold' }))!;
    const holdExpiresAt = new Date(held.data.holdDates.hold.expiresAt);
    expect(stripeKeys).toEqual([`checkout-hold-${holdId}-${sessionExpiresAt(holdExpiresAt, createdAt)}`]);
    expect(sessionExpiresAt(holdExpiresAt, app.clock.now())).not.toBe(sessionExpiresAt(holdExpiresAt, createdAt));

    const hold = await collections(app).holds.findOne({ userId: 'checkout-crasher' });
    expect(hold!.checkout?.sessionId).toBe(answer.checkoutHold.checkoutSessionId);
  });

  it('topUp: one top-up record, the retry found the same one and recorded one session on it', async () => {
    const owner = await app.token('topup-crasher');
    const account = await openAccount(app, owner);
    const TOP_UP = `mutation($input: TopUpInput!) {
      topUp(input: $input) { __typename ... on TopUpStarted { topUpId checkoutUrl checkoutSessionId } }
    }`;
    const answer = await stallTakeOverAndWake((idempotencyKey) =>
      app.gql(owner, TOP_UP, { input: { accountId: account, amount: 1_200, idempotencyKey } }),
    );
    expect(answer.topUp.__typename).toBe('TopUpStarted');

    const topUps = await app.db.collection('topUps').find({ userId: 'topup-crasher' }).toArray();
    expect(topUps.map((t) => [t._id.toHexString(), t.checkoutSessionId])).toEqual([[answer.topUp.topUpId, answer.topUp.checkoutSessionId]]);
  });

  it('of several concurrent retries exactly one takes the key over; the others are told to retry', async () => {
    const owner = await app.token('racing-retrier');
    const account = await openAccount(app, owner);
    const treasurer = await app.token('racing-treasurer', 'admin');
    const send = (idempotencyKey: string) => app.gql(treasurer, DEPOSIT, { input: { accountId: account, amount: 250, idempotencyKey } });
    const key = newKey();
    // Stall A and whichever retry wins, so the losers cannot arrive after the winner completed.
    const stalled = stall(key, 2);
    const first = send(key);
    await vi.waitFor(() => expect(stalled.claims()).toBe(1), { timeout: 10_000 });
    app.clock.advance(LEASE_MS);

    let settled = 0;
    const retries = Array.from({ length: 6 }, () => send(key).finally(() => (settled += 1)));
    await vi.waitFor(() => expect(settled).toBe(5), { timeout: 10_000 });
    expect(stalled.claims()).toBe(2);
    stalled.release();
    const answers = await Promise.all(retries);
    expect(answers.filter((r) => r.data?.deposit.__typename === 'Deposited')).toHaveLength(1);
    answers.filter((r) => r.errors).forEach(expectInUse);
    expectInUse(await first);
    expect(logged.filter((line) => line.key === key && String(line.msg).includes('took over'))).toHaveLength(1);
    expect(await app.db.collection('ledgerEntries').countDocuments({ accountId: new ObjectId(account) })).toBe(1);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true });
  });
});

describe('when the API process holding a request is killed (SIGKILL)', () => {
  // Its own app, so its clock has not been moved ahead of the killed instance's real one.
  let survivor: TestApp;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    survivor = await startTestApp({ idempotencyLeaseMs: LEASE_MS });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await survivor.stop();
  });

  async function startStalledInstance(leaseMs: number): Promise<number> {
    child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./support/stalledInstance.ts', import.meta.url))], {
      env: {
        PATH: process.env.PATH,
        MONGODB_URI: inject('mongoUri'),
        MONGODB_DB: survivor.db.databaseName,
        STRIPE_API_BASE: inject('stripeApiBase'),
        IDEMPOTENCY_LEASE_MS: String(leaseMs),
        TEST_JWT_SECRET_HEX: Buffer.from(survivor.jwtSecret).toString('hex'),
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const started = new Promise<number>((resolve, reject) => {
      lines.once('line', (line) => resolve(JSON.parse(line).port));
      child!.once('exit', (code) => reject(new Error(`the stalled instance exited (${code}) before listening`)));
    });
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('the stalled instance did not start in 20 s')), 20_000).unref(),
    );
    return Promise.race([started, timeout]);
  }

  it('a retry after the lease moves the money exactly once', async () => {
    const owner = await survivor.token('killed-payer');
    const account = await openAccount(survivor, owner);
    const treasurer = await survivor.token('killed-treasurer', 'admin');
    const key = newKey();
    // A deposit claims its key before its work (a transfer's is written with its effect, so a killed one leaves none).
    const input = { accountId: account, amount: 400, idempotencyKey: key };

    const port = await startStalledInstance(LEASE_MS);
    const doomed = fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${treasurer}` },
      body: JSON.stringify({ query: DEPOSIT, variables: { input } }),
    }).then(
      () => 'answered',
      () => 'connection lost',
    );
    const claimed = await vi.waitFor(
      async () => {
        const doc = await keys(survivor).findOne({ key });
        expect(doc).not.toBeNull();
        return doc!;
      },
      { timeout: 10_000, interval: 50 },
    );
    child!.kill('SIGKILL');
    await once(child!, 'exit');
    expect(await doomed).toBe('connection lost');
    expect(claimed).toMatchObject({ state: 'in_progress' });

    // The key is stranded exactly until its lease ends (the instance's clock wrote it; ours is moved to it).
    expect(claimed.lockedUntil.getTime() - claimed.createdAt.getTime()).toBe(LEASE_MS);
    const untilLease = claimed.lockedUntil.getTime() - survivor.clock.now().getTime();
    const send = () => survivor.gql(treasurer, DEPOSIT, { input });
    survivor.clock.advance(untilLease - 1);
    expectInUse(await send());
    survivor.clock.advance(1);
    const retried = await send();
    expect(retried.data?.deposit.__typename).toBe('Deposited');
    expect(await send()).toEqual(retried);

    expect((await survivor.gql(owner, ACCOUNT, { id: account })).data.account.balance).toBe(400);
    expect(await survivor.db.collection('ledgerEntries').countDocuments({ accountId: new ObjectId(account) })).toBe(1);
    expect(await ledgerCheck(survivor)).toMatchObject({ ok: true, problems: [] });
  });
});
