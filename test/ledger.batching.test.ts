// Proves G5 and G6 (README › Guarantees): group-committed withdrawals and transfers keep every money invariant.
import { setTimeout as sleep } from 'node:timers/promises';
import { type ClientSession, MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Lane, lockKeyQueue, type Queued } from '../src/mongo/testing';
import {
  type AccountReader,
  ledgerCollections,
  type MoneyCommitDeps,
  moneyCommitter,
  readAccounts,
  type TransferOrder,
  type WithdrawalOrder,
} from '../src/ledger/testing';
import { DomainError } from '../src/errors';
import type { TransactionStats } from '../src/mongo';
import { errorCode, startTestApp, type TestApp } from './support/app';
import { ACCOUNT, authorize, deposit, inFlight, ledgerCheck, openAccount, transfer } from './support/ledger';

let app: TestApp;
let observer: MongoClient;
beforeAll(async () => {
  app = await startTestApp();
  observer = await new MongoClient(inject('mongoUri')).connect();
});
afterAll(async () => {
  await observer?.close();
  await app?.stop();
});

const noRecord = async () => undefined;

/** Orders straight into the ledger's group-commit engine (no HTTP, no keys), so a test decides which orders share a batch. */
function directCommitter(read?: AccountReader) {
  const transactionStats: TransactionStats = { runs: 0, attempts: 0 };
  const deps: MoneyCommitDeps = {
    client: app.client,
    collections: ledgerCollections(app.db),
    users: app.app.services.users,
    now: () => app.clock.now(),
    transactionStats,
    read,
  };
  const orders = moneyCommitter(deps, { maxConcurrent: 1, maxBatch: 64, maxWaiting: 1000 });
  let keys = 0;
  return {
    transfer: (order: Omit<TransferOrder, 'kind' | 'key'>) => orders.transfer({ key: `direct-${(keys += 1)}`, ...order }),
    withdraw: (order: Omit<WithdrawalOrder, 'kind' | 'key'>) => orders.withdraw({ key: `direct-${(keys += 1)}`, ...order }),
    transactionStats,
  };
}

async function funded(owner: string, amount: number): Promise<string> {
  const account = await openAccount(app, await app.token(owner));
  if (amount > 0) await deposit(app, account, amount);
  return account;
}

const balanceOf = async (id: string) =>
  (await app.db.collection('accounts').findOne({ _id: new ObjectId(id) }, { projection: { balance: 1 } }))!.balance as number;

describe('the batcher', () => {
  type Order = { id: number; accounts: string[] };

  it('never runs two batches that write one account at once, and runs each account’s orders in arrival order', async () => {
    const running = new Map<string, number>();
    const started = new Map<string, number[]>();
    const overlaps: string[] = [];
    const submit = lockKeyQueue<Order, number>(
      async (batch) => {
        const accounts = [...new Set(batch.flatMap((queued) => queued.keys))];
        for (const account of accounts) {
          if (running.has(account)) overlaps.push(account);
          running.set(account, 1);
        }
        for (const { order } of batch) for (const account of order.accounts) started.get(account)!.push(order.id);
        await sleep(Math.random() * 3);
        for (const account of accounts) running.delete(account);
        for (const queued of batch) queued.resolve(queued.order.id);
      },
      { maxConcurrent: 3, maxBatch: 4, maxWaiting: 1000 },
    ).submit;
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const name of names) started.set(name, []);
    let seed = 5;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const orders = Array.from({ length: 300 }, (_, id) => {
      const from = random(6);
      return { id, accounts: [names[from], names[(from + 1 + random(5)) % 6]] };
    });
    const done: number[] = [];
    await Promise.all(orders.map(async (order) => done.push(await submit(order, order.accounts))));
    expect(done).toHaveLength(300);
    expect(overlaps).toEqual([]);
    for (const ids of started.values()) expect(ids).toEqual([...ids].sort((x, y) => x - y));
  });

  it('never puts two orders with one idempotency key into one batch', async () => {
    const batches: number[][] = [];
    const submit = lockKeyQueue<Order, number>(
      async (batch) => {
        batches.push(batch.map((queued) => queued.order.id));
        await sleep(1);
        for (const queued of batch) queued.resolve(queued.order.id);
      },
      { maxConcurrent: 1, maxBatch: 64, maxWaiting: 1000 },
    ).submit;
    const order = (id: number, account: string, key: string) => submit({ id, accounts: [account] }, [account], key);
    await Promise.all([order(1, 'a', 'k1'), order(2, 'b', 'k2'), order(3, 'b', 'k2'), order(4, 'c', 'k3'), order(5, 'b', 'k2')]);
    // 3 and 5 repeat 2's key: each waits for a later batch (and 5 behind 3 on their account).
    expect(batches).toEqual([[1], [2, 4], [3], [5]]);
  });

  it('lets other accounts through while a batch stalls, and runs split orders alone, first in line', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const submit = lockKeyQueue<Order, number>(
      async (batch: Queued<Order, number>[], lane: Lane<Order, number>) => {
        batches.push(batch.map((queued) => queued.order.id));
        if (batch.length > 1 && batch.some((queued) => queued.order.id === 2)) return lane.split(batch);
        if (batch[0].order.id === 2) {
          lane.stalled();
          await stuck;
        }
        for (const queued of batch) queued.resolve(queued.order.id);
      },
      { maxConcurrent: 1, maxBatch: 64, maxWaiting: 1000 },
    ).submit;
    const order = (id: number, ...accounts: string[]) => submit({ id, accounts }, accounts);
    const first = order(1, 'a');
    // Queued behind the first: they form one batch, which is split; 2 then stalls on account z.
    const rest = [order(2, 'z'), order(3, 'b'), order(4, 'c')];
    const laterOnZ = order(5, 'z');
    expect(await Promise.all([first, rest[1], rest[2]])).toEqual([1, 3, 4]);
    // 5 joins the batch (its account is free), is split off with it, then waits for 2 on z.
    expect(batches.slice(0, 5)).toEqual([[1], [2, 3, 4, 5], [2], [3], [4]]);
    expect(await Promise.race([laterOnZ, sleep(50).then(() => 'waiting')])).toBe('waiting');
    release();
    expect(await Promise.all([rest[0], laterOnZ])).toEqual([2, 5]);
    expect(batches.at(-1)).toEqual([5]);
  });
});

describe('when orders share a batch', () => {
  it('decides each order against the balances the ones before it left, in arrival order', async () => {
    const [a, b] = await Promise.all([funded('batch-a', 100), funded('batch-b', 0)]);
    const blocker = await funded('batch-blocker', 10);
    const direct = directCommitter();
    const first = direct.withdraw({ initiatedBy: 'batch-blocker', accountId: blocker, amount: 1, record: noRecord });
    const results = await Promise.all([
      direct.transfer({ initiatedBy: 'batch-a', fromAccountId: a, toAccountId: b, amount: 60, memo: null, record: noRecord }),
      direct.withdraw({ initiatedBy: 'batch-a', accountId: a, amount: 60, record: noRecord }),
      direct.withdraw({ initiatedBy: 'batch-a', accountId: a, amount: 40, record: noRecord }),
      direct.transfer({ initiatedBy: 'batch-b', fromAccountId: b, toAccountId: a, amount: 60, memo: null, record: noRecord }),
    ]);
    await first;
    expect(direct.transactionStats).toEqual({ runs: 2, attempts: 2 });
    expect(results.map((r) => r.__typename)).toEqual(['TransferCompleted', 'InsufficientFunds', 'Withdrawn', 'TransferCompleted']);
    expect(results[2]).toMatchObject({ account: { balance: 0, version: 3 }, entry: { amount: -40, balanceAfter: 0 } });
    expect([await balanceOf(a), await balanceOf(b)]).toEqual([60, 0]);
    const entries = await app.db
      .collection('ledgerEntries')
      .find({ accountId: { $in: [new ObjectId(a), new ObjectId(b)] }, kind: { $ne: 'DEPOSIT' } })
      .sort({ _id: 1 })
      .toArray();
    expect(entries.map((e) => [e.kind, e.amount, e.balanceAfter])).toEqual([
      ['TRANSFER_DEBIT', -60, 40],
      ['TRANSFER_CREDIT', 60, 60],
      ['WITHDRAWAL', -40, 0],
      ['TRANSFER_DEBIT', -60, 0],
      ['TRANSFER_CREDIT', 60, 60],
    ]);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });

  it("refuses a suspended owner's orders with FORBIDDEN and commits everyone else's in the same transaction", async () => {
    const [shady, honest, payee] = await Promise.all([funded('shady', 500), funded('honest', 500), funded('payee', 0)]);
    const blocker = await funded('shared-blocker', 10);
    const admin = await app.token('treasury', 'admin');
    await app.gql(admin, `mutation { suspendUser(input: { userId: "shady" }) { suspended } }`);
    const direct = directCommitter();
    const first = direct.withdraw({ initiatedBy: 'shared-blocker', accountId: blocker, amount: 1, record: noRecord });
    const settled = await Promise.allSettled([
      direct.transfer({ initiatedBy: 'honest', fromAccountId: honest, toAccountId: payee, amount: 100, memo: null, record: noRecord }),
      direct.transfer({ initiatedBy: 'shady', fromAccountId: shady, toAccountId: payee, amount: 100, memo: null, record: noRecord }),
      direct.withdraw({ initiatedBy: 'shady', accountId: shady, amount: 100, record: noRecord }),
      direct.withdraw({ initiatedBy: 'honest', accountId: honest, amount: 100, record: noRecord }),
    ]);
    await first;
    // One transaction for the blocker, one for the four: the suspension was read once for all of them.
    expect(direct.transactionStats.runs).toBe(2);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value.__typename : (s.reason as { code: string }).code))).toEqual([
      'TransferCompleted',
      'FORBIDDEN',
      'FORBIDDEN',
      'Withdrawn',
    ]);
    expect([await balanceOf(shady), await balanceOf(honest), await balanceOf(payee)]).toEqual([500, 300, 100]);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });

  it('answers an order whose key was taken over with that error, and commits the rest of its batch without it', async () => {
    const [payer, payee] = await Promise.all([funded('taken-payer', 100), funded('taken-payee', 0)]);
    const blocker = await funded('taken-blocker', 10);
    const direct = directCommitter();
    const takenOver = async () => {
      throw new DomainError('IDEMPOTENCY_KEY_IN_USE', 'taken over', { retryable: true });
    };
    const first = direct.withdraw({ initiatedBy: 'taken-blocker', accountId: blocker, amount: 1, record: noRecord });
    const settled = await Promise.allSettled([
      direct.transfer({ initiatedBy: 'taken-payer', fromAccountId: payer, toAccountId: payee, amount: 10, memo: null, record: noRecord }),
      direct.transfer({ initiatedBy: 'taken-payer', fromAccountId: payer, toAccountId: payee, amount: 20, memo: null, record: takenOver }),
      direct.withdraw({ initiatedBy: 'taken-payer', accountId: payer, amount: 30, record: noRecord }),
    ]);
    await first;
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value.__typename : (s.reason as { code: string }).code))).toEqual([
      'TransferCompleted',
      'IDEMPOTENCY_KEY_IN_USE',
      'Withdrawn',
    ]);
    // The batch without the taken-over order: its transfer never happened, and the withdrawal saw the balance without it.
    expect(settled[2]).toMatchObject({ value: { entry: { balanceAfter: 60 } } });
    expect([await balanceOf(payer), await balanceOf(payee)]).toEqual([60, 10]);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });

  it('answers an order whose record hits a duplicate key (a key already recorded) with that error, the rest committing without it', async () => {
    const [payer, payee] = await Promise.all([funded('dup-payer', 100), funded('dup-payee', 0)]);
    const blocker = await funded('dup-blocker', 10);
    const direct = directCommitter();
    // Two orders whose records insert one _id, as two requests with one key written with its effect
    // would: the second insert fails in the batch's transaction, which the server then aborts.
    const twin = new ObjectId();
    const recordOnce = async (session: ClientSession) => {
      await app.db.collection('ledgerBatchingTwins').insertOne({ _id: twin }, { session });
    };
    const first = direct.withdraw({ initiatedBy: 'dup-blocker', accountId: blocker, amount: 1, record: noRecord });
    const settled = await Promise.allSettled([
      direct.transfer({ initiatedBy: 'dup-payer', fromAccountId: payer, toAccountId: payee, amount: 10, memo: null, record: recordOnce }),
      direct.transfer({ initiatedBy: 'dup-payer', fromAccountId: payer, toAccountId: payee, amount: 10, memo: null, record: recordOnce }),
      direct.withdraw({ initiatedBy: 'dup-payer', accountId: payer, amount: 30, record: noRecord }),
    ]);
    await first;
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value.__typename : (s.reason as { code: number }).code))).toEqual([
      'TransferCompleted',
      11000,
      'Withdrawn',
    ]);
    expect([await balanceOf(payer), await balanceOf(payee)]).toEqual([60, 10]);
    expect(await app.db.collection('ledgerBatchingTwins').countDocuments()).toBe(1);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });

  it('never lets a stale view decide: the conditional writes refuse it, nothing commits, and each order runs again alone', async () => {
    const [poor, rich, payee] = await Promise.all([funded('poor', 100), funded('rich', 100), funded('stale-payee', 0)]);
    const blocker = await funded('stale-blocker', 10);
    let stale = true;
    // The first read of `poor` sees 1,000 more on `poor` than it holds, as a cache or an early read might.
    const staleRead: AccountReader = async (deps, session, ids) => {
      const view = await readAccounts(deps, session, ids);
      const account = view.get(poor);
      if (stale && account) {
        stale = false;
        account.doc = { ...account.doc, balance: account.doc.balance + 1_000 };
      }
      return view;
    };
    const direct = directCommitter(staleRead);
    const first = direct.withdraw({ initiatedBy: 'stale-blocker', accountId: blocker, amount: 1, record: noRecord });
    const results = await Promise.all([
      direct.withdraw({ initiatedBy: 'poor', accountId: poor, amount: 300, record: noRecord }),
      direct.transfer({ initiatedBy: 'rich', fromAccountId: rich, toAccountId: payee, amount: 30, memo: null, record: noRecord }),
    ]);
    await first;
    expect(results.map((r) => r.__typename)).toEqual(['InsufficientFunds', 'TransferCompleted']);
    // The batch (refused) and then each order alone, on fresh reads.
    expect(direct.transactionStats.runs).toBe(4);
    expect([await balanceOf(poor), await balanceOf(rich), await balanceOf(payee)]).toEqual([100, 70, 30]);
    expect(await app.db.collection('ledgerEntries').countDocuments({ accountId: new ObjectId(poor), kind: 'WITHDRAWAL' })).toBe(0);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });

  it('never lets a view that misses an authorization spend its funds: the funds filter counts live authorizations itself', async () => {
    const owner = await app.token('reserved-stale');
    const [held, other, payee] = await Promise.all([
      funded('reserved-stale', 100),
      funded('reserved-other', 100),
      funded('reserved-payee', 0),
    ]);
    const blocker = await funded('reserved-blocker', 10);
    const authorized = await authorize(app, owner, { fromAccountId: held, toAccountId: payee, amount: 80 });
    expect(authorized.data.authorizeTransfer.__typename).toBe('TransferAuthorized');
    let stale = true;
    // The first read of `held` shows no authorizations, as a read from before the authorization would.
    const staleRead: AccountReader = async (deps, session, ids) => {
      const view = await readAccounts(deps, session, ids);
      const account = view.get(held);
      if (stale && account) {
        stale = false;
        account.doc = { ...account.doc, authorizations: [] };
      }
      return view;
    };
    const direct = directCommitter(staleRead);
    const first = direct.withdraw({ initiatedBy: 'reserved-blocker', accountId: blocker, amount: 1, record: noRecord });
    const results = await Promise.all([
      direct.withdraw({ initiatedBy: 'reserved-stale', accountId: held, amount: 50, record: noRecord }),
      direct.withdraw({ initiatedBy: 'reserved-other', accountId: other, amount: 50, record: noRecord }),
    ]);
    await first;
    expect(results.map((r) => r.__typename)).toEqual(['InsufficientFunds', 'Withdrawn']);
    expect(await balanceOf(held)).toBe(100);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });

  it('fails only the orders of a stuck account: the batch splits and the rest commit while it waits', async () => {
    const [stuck, c, d] = await Promise.all([funded('stuck', 100), funded('free-c', 100), funded('free-d', 100)]);
    const blocker = await funded('stuck-blocker', 10);
    // A transaction left open on `stuck` (as by a killed process): every write to it conflicts until it ends.
    const zombie = observer.startSession();
    zombie.startTransaction();
    await observer
      .db(app.db.databaseName)
      .collection('accounts')
      .updateOne({ _id: new ObjectId(stuck) }, { $inc: { version: 1 } }, { session: zombie });
    try {
      const direct = directCommitter();
      const first = direct.withdraw({ initiatedBy: 'stuck-blocker', accountId: blocker, amount: 1, record: noRecord });
      const fromStuck = direct.transfer({
        initiatedBy: 'stuck',
        fromAccountId: stuck,
        toAccountId: c,
        amount: 10,
        memo: null,
        record: noRecord,
      });
      const others = Promise.all([
        direct.transfer({ initiatedBy: 'free-c', fromAccountId: c, toAccountId: d, amount: 20, memo: null, record: noRecord }),
        direct.withdraw({ initiatedBy: 'free-d', accountId: d, amount: 30, record: noRecord }),
      ]);
      await first;
      // The free orders commit while `stuck` is still locked (a batch retried whole would wait with it).
      const early = await Promise.race([others, sleep(3_000).then(() => 'still waiting' as const)]);
      expect(early).not.toBe('still waiting');
      expect(await Promise.race([fromStuck, sleep(0).then(() => 'retrying' as const)])).toBe('retrying');
      await zombie.abortTransaction();
      expect((await fromStuck).__typename).toBe('TransferCompleted');
      expect([await balanceOf(stuck), await balanceOf(c), await balanceOf(d)]).toEqual([90, 90, 90]);
      expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
    } finally {
      if (zombie.inTransaction()) await zombie.abortTransaction();
      await zombie.endSession();
    }
  });
});

describe('when two instances move money over the same accounts', () => {
  it('conflicts between their batches resolve by retry: totals kept, nothing overdrawn, the ledger reconciles', async () => {
    const other = await startTestApp({
      sharing: { db: app.db, jwtSecret: app.jwtSecret, webhookSecret: app.webhookSecret, clock: app.clock },
    });
    try {
      const owners = await Promise.all(Array.from({ length: 6 }, (_, i) => app.token(`twin-${i}`)));
      const accounts = await Promise.all(owners.map((token) => openAccount(app, token)));
      await Promise.all(accounts.map((id) => deposit(app, id, 300)));
      let seed = 11;
      // The high bits: this generator's low bits cycle, which would drain every other account.
      const random = (n: number) => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return Math.floor(seed / 2 ** 16) % n;
      };
      const plan = Array.from({ length: 400 }, () => {
        const from = random(6);
        return [from, (from + 1 + random(5)) % 6, 1 + random(120)];
      });
      const responses = await inFlight(plan.length, 40, (i) => {
        const [from, to, amount] = plan[i];
        return transfer(i % 2 ? other : app, owners[from], accounts[from], accounts[to], amount);
      });
      const outcomes = responses.map((r) => r.data?.transfer.__typename ?? errorCode(r));
      expect(outcomes.every((o) => o === 'TransferCompleted' || o === 'InsufficientFunds')).toBe(true);
      expect(outcomes.filter((o) => o === 'TransferCompleted').length).toBeGreaterThan(200);
      const balances = await Promise.all(accounts.map(async (id, i) => (await app.gql(owners[i], ACCOUNT, { id })).data.account.balance));
      expect(balances.reduce((x, y) => x + y, 0)).toBe(6 * 300);
      expect(Math.min(...balances)).toBeGreaterThanOrEqual(0);
      expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
    } finally {
      await other.stop();
    }
  });
});
