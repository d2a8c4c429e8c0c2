// Proves G5 (README › Guarantees).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';
import { ACCOUNT, deposit, inFlight, ledgerCheck, openAccount, transfer, withdraw } from './support/ledger';
import { newKey } from './support/operations';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

async function balanceOf(token: string, id: string): Promise<number> {
  return (await app.gql(token, ACCOUNT, { id })).data.account.balance;
}

describe('when 100 withdrawals of 10 race on a balance of 500', () => {
  it('lets exactly 50 through, ends at 0 and never goes negative', async () => {
    const owner = await app.token('wanda');
    const account = await openAccount(app, owner);
    await deposit(app, account, 500);
    const responses = await Promise.all(Array.from({ length: 100 }, () => withdraw(app, owner, account, 10)));
    const kinds = responses.map((r) => r.data?.withdraw.__typename);
    expect(kinds.filter((k) => k === 'Withdrawn')).toHaveLength(50);
    expect(kinds.filter((k) => k === 'InsufficientFunds')).toHaveLength(50);
    expect(await balanceOf(owner, account)).toBe(0);
    const balancesSeen = responses.filter((r) => r.data.withdraw.__typename === 'Withdrawn').map((r) => r.data.withdraw.entry.balanceAfter);
    expect(Math.min(...balancesSeen)).toBe(0);
    expect(new Set(balancesSeen).size).toBe(50);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });
});

describe('when 2,000 random transfers race across 20 accounts', () => {
  it('keeps the total, never overdraws, and reconciles', async () => {
    const owners = await Promise.all(Array.from({ length: 20 }, (_, i) => app.token(`trader-${i}`)));
    const accounts = await Promise.all(owners.map((token) => openAccount(app, token)));
    await Promise.all(accounts.map((id) => deposit(app, id, 1_000)));
    const totalBefore = (await Promise.all(accounts.map((id, i) => balanceOf(owners[i], id)))).reduce((a, b) => a + b, 0);

    // Pairs i, i+1 go A→B and B→A back to back; every 100th is a self-transfer, which must be refused.
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const plan = Array.from({ length: 1000 }, (_, i) => {
      const a = random(20);
      const b = i % 100 === 0 ? a : (a + 1 + random(19)) % 20;
      const amount = 1 + random(400);
      return [
        [a, b, amount],
        [b, a, 1 + random(400)],
      ];
    }).flat();
    const responses = await inFlight(plan.length, 100, (i) => {
      const [from, to, amount] = plan[i];
      return transfer(app, owners[from], accounts[from], accounts[to], amount);
    });

    const selfTransfers = plan.filter(([from, to]) => from === to).length;
    const refusedSelf = responses.filter((r) => r.errors?.[0].extensions?.code === 'BAD_USER_INPUT').length;
    expect(refusedSelf).toBe(selfTransfers);
    const outcomes = responses.filter((r) => r.data).map((r) => r.data.transfer.__typename);
    expect(outcomes.length + refusedSelf).toBe(plan.length);
    expect(outcomes.every((o) => o === 'TransferCompleted' || o === 'InsufficientFunds')).toBe(true);
    expect(outcomes.filter((o) => o === 'TransferCompleted').length).toBeGreaterThan(1000);

    const balances = await Promise.all(accounts.map((id, i) => balanceOf(owners[i], id)));
    expect(balances.reduce((a, b) => a + b, 0)).toBe(totalBefore);
    expect(Math.min(...balances)).toBeGreaterThanOrEqual(0);
    expect(await app.db.collection('ledgerEntries').countDocuments({ balanceAfter: { $lt: 0 } })).toBe(0);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });
});

describe('when one idempotency key is fired 50 times at once', () => {
  it('moves the money once; every answer is the stored result or IN_USE, and retries replay it exactly', async () => {
    const [payer, payee] = await Promise.all([app.token('payer'), app.token('payee')]);
    const from = await openAccount(app, payer);
    const to = await openAccount(app, payee);
    await deposit(app, from, 1_000);
    const key = newKey();
    const responses = await Promise.all(Array.from({ length: 50 }, () => transfer(app, payer, from, to, 300, key)));
    const completed = responses.filter((r) => r.data?.transfer.__typename === 'TransferCompleted');
    const inUse = responses.filter((r) => r.errors?.[0].extensions?.code === 'IDEMPOTENCY_KEY_IN_USE');
    expect(completed.length).toBeGreaterThanOrEqual(1);
    expect(completed.length + inUse.length).toBe(50);
    expect(completed.every((r) => JSON.stringify(r) === JSON.stringify(completed[0]))).toBe(true);
    expect(await balanceOf(payer, from)).toBe(700);
    expect(await balanceOf(payee, to)).toBe(300);
    expect(await app.db.collection('transfers').countDocuments({ initiatedBy: 'payer' })).toBe(1);

    const retries = await Promise.all(inUse.map(() => transfer(app, payer, from, to, 300, key)));
    for (const retry of retries) expect(retry).toEqual(completed[0]);
    expect(await balanceOf(payer, from)).toBe(700);
  });

  it('refuses the same key with a different amount, moving nothing', async () => {
    const owner = await app.token('reuser');
    const from = await openAccount(app, owner);
    const to = await openAccount(app, owner);
    await deposit(app, from, 1_000);
    const key = newKey();
    await transfer(app, owner, from, to, 100, key);
    const reused = await transfer(app, owner, from, to, 200, key);
    expect(reused.errors?.[0].extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await balanceOf(owner, from)).toBe(900);
  });

  it('replays an InsufficientFunds outcome even after the account is topped up', async () => {
    const owner = await app.token('pauper');
    const account = await openAccount(app, owner);
    const key = newKey();
    const first = await withdraw(app, owner, account, 50, key);
    expect(first.data.withdraw.__typename).toBe('InsufficientFunds');
    await deposit(app, account, 100);
    expect(await withdraw(app, owner, account, 50, key)).toEqual(first);
    expect(await balanceOf(owner, account)).toBe(100);
  });
});
