import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, startTestApp, type TestApp, withoutRequestIds } from './support/app';
import { ACCOUNT, ledgerCheck, openAccount } from './support/ledger';
import { newKey } from './support/operations';
import { deliver, startTopUp, topUpEvent } from './support/payments';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

async function balance(token: string, accountId: string): Promise<number> {
  return (await app.gql(token, ACCOUNT, { id: accountId })).data.account.balance;
}

describe('when a user tops up an account through Stripe Checkout', () => {
  it('credits the amount exactly once, however often the paid event arrives', async () => {
    const owner = await app.token('topper');
    const account = await openAccount(app, owner);
    const started = (await startTopUp(app, owner, account, 2_500)).data.topUp;
    expect(started.__typename).toBe('TopUpStarted');
    expect(started.checkoutSessionId).toMatch(/^cs_/);
    expect(await balance(owner, account)).toBe(0);

    const event = topUpEvent('checkout.session.completed', started);
    const deliveries = await Promise.all(Array.from({ length: 20 }, () => deliver(app, event)));
    expect(deliveries.every((d) => d.status === 200)).toBe(true);
    expect(await balance(owner, account)).toBe(2_500);
    // A different event id for the same payment (Stripe may send completed and async_payment_succeeded).
    await deliver(app, topUpEvent('checkout.session.async_payment_succeeded', started));
    expect(await balance(owner, account)).toBe(2_500);
    expect(await app.db.collection('ledgerEntries').countDocuments({ kind: 'DEPOSIT', amount: 2_500 })).toBe(1);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true });
  });

  it('credits nothing for an expired session, and returns the same session on a retry', async () => {
    const owner = await app.token('quitter');
    const account = await openAccount(app, owner);
    const key = newKey();
    const started = (await startTopUp(app, owner, account, 900, key)).data.topUp;
    expect((await startTopUp(app, owner, account, 900, key)).data.topUp).toEqual(started);
    await deliver(app, topUpEvent('checkout.session.expired', started));
    expect(await balance(owner, account)).toBe(0);
    expect((await app.db.collection('topUps').findOne({ userId: 'quitter' }))?.state).toBe('expired');
  });

  it("refuses someone else's account and amounts over Stripe's limit, writing nothing", async () => {
    const owner = await app.token('holder');
    const account = await openAccount(app, owner);
    const stranger = await app.token('stranger');
    const foreign = await startTopUp(app, stranger, account, 100);
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    expect(withoutRequestIds(foreign)).toEqual(withoutRequestIds(await startTopUp(app, stranger, '0123456789abcdef01234567', 100)));
    expect(errorCode(await startTopUp(app, owner, account, 100_000_000))).toBe('BAD_USER_INPUT');
    expect(
      await app.db.collection('topUps').countDocuments({ accountId: { $exists: true }, userId: { $in: ['holder', 'stranger'] } }),
    ).toBe(0);
  });
});
