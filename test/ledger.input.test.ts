import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, startTestApp, type TestApp, withoutRequestIds } from './support/app';
import {
  ACCOUNT,
  DEPOSIT,
  deposit,
  ledgerCheck,
  OPEN_ACCOUNT,
  openAccount,
  TRANSFER,
  transfer,
  WITHDRAW,
  withdraw,
} from './support/ledger';
import { newKey } from './support/operations';

let app: TestApp;
let owner: string;
let stranger: string;
let mine: string;
let other: string;
let dollars: string;
beforeAll(async () => {
  app = await startTestApp();
  [owner, stranger] = await Promise.all([app.token('olga'), app.token('sam')]);
  mine = await openAccount(app, owner);
  other = await openAccount(app, stranger);
  dollars = await openAccount(app, stranger, 'USD');
  await deposit(app, mine, 1_000);
});
afterAll(() => app.stop());

/** Every document count plus every balance: a refused request must leave all of it unchanged. */
async function snapshot() {
  const names = ['accounts', 'ledgerEntries', 'transfers', 'idempotencyKeys'];
  const counts = await Promise.all(names.map((n) => app.db.collection(n).countDocuments()));
  const balances = await app.db
    .collection('accounts')
    .find({}, { projection: { balance: 1, version: 1 } })
    .sort({ _id: 1 })
    .toArray();
  return { counts, balances };
}

describe('when an amount is not a positive whole number of minor units', () => {
  it.each([
    ['0', 0],
    ['negative', -5],
    ['above 2^53', 2 ** 53 + 2],
    ['fractional', 10.5],
    ['a string', '10'],
  ])('refuses %s with BAD_USER_INPUT on transfer, withdraw and deposit, writing nothing', async (_, amount) => {
    const before = await snapshot();
    const admin = await app.token('treasury', 'admin');
    const responses = [
      await app.gql(owner, TRANSFER, { input: { fromAccountId: mine, toAccountId: other, amount, idempotencyKey: newKey() } }),
      await app.gql(owner, WITHDRAW, { input: { accountId: mine, amount, idempotencyKey: newKey() } }),
      await app.gql(admin, DEPOSIT, { input: { accountId: mine, amount, idempotencyKey: newKey() } }),
    ];
    for (const response of responses) {
      expect(response.status).toBeLessThan(500);
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0].message).toContain('amount');
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('when accounts do not fit the request', () => {
  it('refuses an unknown currency when opening an account', async () => {
    const before = await snapshot();
    expect(errorCode(await app.gql(owner, OPEN_ACCOUNT, { input: { currency: 'ABC' } }))).toBe('BAD_USER_INPUT');
    expect(await snapshot()).toEqual(before);
  });

  it('answers CurrencyMismatch for a transfer between currencies, moving nothing', async () => {
    const before = await snapshot();
    const response = await transfer(app, owner, mine, dollars, 10);
    expect(response.data.transfer).toEqual({ __typename: 'CurrencyMismatch', fromCurrency: 'EUR', toCurrency: 'USD' });
    const after = await snapshot();
    expect(after.balances).toEqual(before.balances);
    expect(after.counts.slice(0, 3)).toEqual(before.counts.slice(0, 3));
  });

  it('answers AccountNotFound for an unknown source or target', async () => {
    const missing = '0123456789abcdef01234567';
    expect((await transfer(app, owner, mine, missing, 10)).data.transfer).toEqual({ __typename: 'AccountNotFound', accountId: missing });
    expect((await transfer(app, owner, 'nonsense', other, 10)).data.transfer).toEqual({
      __typename: 'AccountNotFound',
      accountId: 'nonsense',
    });
    expect(errorCode(await withdraw(app, owner, missing, 10))).toBe('NOT_FOUND');
  });

  it('answers InsufficientFunds when the balance is short, moving nothing', async () => {
    const before = await snapshot();
    const response = await transfer(app, owner, mine, other, 1_001);
    expect(response.data.transfer).toEqual({ __typename: 'InsufficientFunds', accountId: mine, requested: 1_001 });
    expect((await snapshot()).balances).toEqual(before.balances);
  });

  it('refuses a transfer to the same account', async () => {
    expect(errorCode(await transfer(app, owner, mine, mine, 10))).toBe('BAD_USER_INPUT');
  });
});

describe("when someone acts on another user's account", () => {
  it('answers exactly as for an account that does not exist, moving nothing', async () => {
    const before = await snapshot();
    const madeUp = '0123456789abcdef01234567';
    const foreignTransfer = await transfer(app, stranger, mine, other, 10);
    expect(foreignTransfer.data.transfer).toEqual({ __typename: 'AccountNotFound', accountId: mine });
    expect((await transfer(app, stranger, madeUp, other, 10)).data.transfer).toEqual({ __typename: 'AccountNotFound', accountId: madeUp });
    const foreignWithdrawal = await withdraw(app, stranger, mine, 10);
    expect(errorCode(foreignWithdrawal)).toBe('NOT_FOUND');
    expect(withoutRequestIds(foreignWithdrawal)).toEqual(withoutRequestIds(await withdraw(app, stranger, madeUp, 10)));
    expect((await app.gql(stranger, ACCOUNT, { id: mine })).data.account).toBeNull();
    const after = await snapshot();
    // Only the two AccountNotFound outcomes are kept under their idempotency keys, as for any outcome.
    expect({ ...after, counts: after.counts.slice(0, 3) }).toEqual({ ...before, counts: before.counts.slice(0, 3) });
    expect(after.counts[3]).toBe(before.counts[3] + 2);
  });

  it('refuses deposits from anyone but an admin', async () => {
    const before = await snapshot();
    const response = await app.gql(owner, DEPOSIT, { input: { accountId: mine, amount: 10, idempotencyKey: newKey() } });
    expect(errorCode(response)).toBe('FORBIDDEN');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses everything without a token', async () => {
    expect(errorCode(await app.gql(undefined, OPEN_ACCOUNT, { input: { currency: 'EUR' } }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await app.gql(undefined, `{ ledgerCheck { ok } }`))).toBe('UNAUTHENTICATED');
    expect(errorCode(await app.gql(owner, `{ ledgerCheck { ok } }`))).toBe('FORBIDDEN');
  });
});

describe('when the owner is suspended', () => {
  it('refuses their withdrawals and transfers with FORBIDDEN, moving nothing', async () => {
    const suzy = await app.token('suzy');
    const account = await openAccount(app, suzy);
    await deposit(app, account, 500);
    const admin = await app.token('treasury', 'admin');
    await app.gql(admin, `mutation { suspendUser(input: { userId: "suzy" }) { suspended } }`);
    const before = await snapshot();
    const responses = await Promise.all([
      withdraw(app, suzy, account, 10),
      transfer(app, suzy, account, other, 10),
      withdraw(app, suzy, account, 20),
    ]);
    for (const response of responses) expect(errorCode(response)).toBe('FORBIDDEN');
    const after = await snapshot();
    expect(after.balances).toEqual(before.balances);
    expect(after.counts.slice(0, 3)).toEqual(before.counts.slice(0, 3));
  });
});

describe('when reading history', () => {
  it('pages transfers and ledger entries newest first', async () => {
    const payer = await app.token('pager');
    const from = await openAccount(app, payer);
    const to = await openAccount(app, payer);
    await deposit(app, from, 100);
    for (const amount of [1, 2, 3, 4, 5]) await transfer(app, payer, from, to, amount);
    const TRANSFERS = `query($id: ID!, $after: String) { transfers(accountId: $id, first: 2, after: $after) { edges { cursor node { amount } } pageInfo { hasNextPage endCursor } } }`;
    const amounts: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const { data }: { data?: any } = await app.gql(payer, TRANSFERS, { id: from, after });
      amounts.push(...data.transfers.edges.map((e: { node: { amount: number } }) => e.node.amount));
      after = data.transfers.pageInfo.endCursor;
      expect(data.transfers.pageInfo.hasNextPage).toBe(page < 2);
    }
    expect(amounts).toEqual([5, 4, 3, 2, 1]);

    const ENTRIES = `query($id: ID!) { ledgerEntries(accountId: $id, first: 10) { edges { node { kind amount balanceAfter } } } }`;
    const entries = (await app.gql(payer, ENTRIES, { id: from })).data.ledgerEntries.edges.map((e: { node: unknown }) => e.node);
    expect(entries[0]).toEqual({ kind: 'TRANSFER_DEBIT', amount: -5, balanceAfter: 85 });
    expect(entries.at(-1)).toEqual({ kind: 'DEPOSIT', amount: 100, balanceAfter: 100 });
    expect(errorCode(await app.gql(stranger, ENTRIES, { id: from }))).toBe('NOT_FOUND');
  });

  it('reports a clean ledger, and catches a balance edited behind its back', async () => {
    expect((await ledgerCheck(app)).ok).toBe(true);
    const victim = await openAccount(app, owner);
    await deposit(app, victim, 50);
    await app.db.collection('accounts').updateOne({ _id: new ObjectId(victim) }, { $inc: { balance: 7 } });
    const check = await ledgerCheck(app);
    expect(check.ok).toBe(false);
    expect(check.problems.join('\n')).toContain(victim);
    await app.db.collection('accounts').updateOne({ _id: new ObjectId(victim) }, { $inc: { balance: -7 } });
    expect((await ledgerCheck(app)).ok).toBe(true);
  });
});
