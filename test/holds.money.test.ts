// Proves G18 and G19 (README › Guarantees).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';
import { deposit, fundsOf, ledgerCheck, openAccount } from './support/ledger';
import { AVAILABILITY, createResource, dayFromToday, newKey, RELEASE_HOLD } from './support/operations';

const HOLD_TTL_SECONDS = 600;
const PRICE = 2_500;

const HOLD_FIELDS = 'id dates amount currency status expiresAt authorization { id amount status expiresAt fromAccountId toAccountId }';
const HOLD_WITH_MONEY = `mutation($input: HoldDatesInput!) {
  holdDates(input: $input) {
    __typename
    ... on DatesHeld { hold { ${HOLD_FIELDS} } }
    ... on DatesUnavailable { dates }
    ... on InsufficientFunds { accountId requested }
    ... on CurrencyMismatch { fromCurrency toCurrency }
  }
}`;
const PAY_HOLD = `mutation($input: PayHoldInput!) {
  payHold(input: $input) {
    __typename
    ... on BookingConfirmed { booking { id holdId status paymentMethod amount refundStatus } transfer { id fromAccountId toAccountId amount authorizationId } }
    ... on InsufficientFunds { accountId requested }
    ... on HoldExpired { hold { id status } }
    ... on HoldNotFound { holdId }
    ... on CurrencyMismatch { fromCurrency toCurrency }
    ... on AccountNotFound { accountId }
  }
}`;
const CANCEL = `mutation($input: CancelBookingInput!) {
  cancelBooking(input: $input) { __typename ... on BookingCancelled { booking { id status paymentMethod refundStatus } } }
}`;
const HOLD = `query($id: ID!) { hold(id: $id) { ${HOLD_FIELDS} } }`;
const HOUSES = `{ houseAccounts { id currency balance reserved } }`;

let app: TestApp;
let resourceId: string;
beforeAll(async () => {
  app = await startTestApp({ holdTtlSeconds: HOLD_TTL_SECONDS });
  resourceId = (await createResource(app, { capacity: 1, pricePerDate: PRICE, currency: 'EUR' })).id;
});
afterAll(() => app.stop());

let nextDay = 1;
/** Dates no other test of this file uses. */
const freshDates = (count: number) => Array.from({ length: count }, () => dayFromToday(app, (nextDay += 1)));

async function wallet(name: string, funds: number, currency = 'EUR') {
  const token = await app.token(name);
  const accountId = await openAccount(app, token, currency);
  if (funds > 0) await deposit(app, accountId, funds);
  return { token, accountId };
}

function holdWithMoney(token: string, dates: string[], reserveFrom?: string) {
  return app.gql(token, HOLD_WITH_MONEY, { input: { resourceId, dates, idempotencyKey: newKey(), reserveFrom } });
}

function payHold(token: string, holdId: string, accountId: string, idempotencyKey = newKey()) {
  return app.gql(token, PAY_HOLD, { input: { holdId, accountId, idempotencyKey } });
}

async function statusesOf(dates: string[]) {
  const admin = await app.token('money-admin', 'admin');
  const sorted = [...dates].sort();
  const { data } = await app.gql(admin, AVAILABILITY, { resourceId, from: sorted[0], to: sorted[sorted.length - 1] });
  const wanted = new Set(dates);
  return (data.availability as { date: string; status: string }[]).filter((d) => wanted.has(d.date)).map((d) => d.status);
}

async function houseBalance(): Promise<number> {
  const admin = await app.token('money-admin', 'admin');
  const { data } = await app.gql(admin, HOUSES);
  return (data.houseAccounts as { currency: string; balance: number }[]).find((h) => h.currency === 'EUR')?.balance ?? 0;
}

describe('when a hold carries its money (reserveFrom)', () => {
  it('claims the dates and authorizes the amount to the house account together, with one expiry', async () => {
    const w = await wallet('carrier', 10_000);
    const dates = freshDates(2);
    const response = await holdWithMoney(w.token, dates, w.accountId);
    const hold = response.data.holdDates.hold;
    expect(hold.authorization).toMatchObject({
      amount: 2 * PRICE,
      status: 'ACTIVE',
      fromAccountId: w.accountId,
      expiresAt: hold.expiresAt,
    });
    expect(await fundsOf(app, w.token, w.accountId)).toMatchObject({ balance: 10_000, reserved: 5_000, available: 5_000 });
    expect(await statusesOf(dates)).toEqual(['HELD', 'HELD']);
  });

  it('claims nothing when the money is short or in another currency', async () => {
    const poor = await wallet('short', 2 * PRICE - 1);
    const dollars = await wallet('dollars', 100_000, 'USD');
    const dates = freshDates(2);
    expect((await holdWithMoney(poor.token, dates, poor.accountId)).data.holdDates).toEqual({
      __typename: 'InsufficientFunds',
      accountId: poor.accountId,
      requested: 2 * PRICE,
    });
    expect((await holdWithMoney(dollars.token, dates, dollars.accountId)).data.holdDates).toEqual({
      __typename: 'CurrencyMismatch',
      fromCurrency: 'USD',
      toCurrency: 'EUR',
    });
    expect(await statusesOf(dates)).toEqual(['AVAILABLE', 'AVAILABLE']);
    expect(await fundsOf(app, poor.token, poor.accountId)).toMatchObject({ reserved: 0 });
  });

  it('refuses someone else’s account as NOT_FOUND, claiming nothing', async () => {
    const owner = await wallet('owner-of-funds', 10_000);
    const thief = await app.token('thief');
    const dates = freshDates(1);
    const response = await holdWithMoney(thief, dates, owner.accountId);
    expect(response.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await statusesOf(dates)).toEqual(['AVAILABLE']);
  });

  it('lapses dates and money at the same instant, with no sweeper', async () => {
    const w = await wallet('lapser', 10_000);
    const hold = (await holdWithMoney(w.token, freshDates(1), w.accountId)).data.holdDates.hold;
    app.clock.advance(HOLD_TTL_SECONDS * 1000);
    const now = (await app.gql(w.token, HOLD, { id: hold.id })).data.hold;
    expect([now.status, now.authorization.status]).toEqual(['EXPIRED', 'EXPIRED']);
    expect(await fundsOf(app, w.token, w.accountId)).toMatchObject({ reserved: 0, available: 10_000 });
    expect((await payHold(w.token, hold.id, w.accountId)).data.payHold).toMatchObject({
      __typename: 'HoldExpired',
      hold: { status: 'EXPIRED' },
    });
    expect(await fundsOf(app, w.token, w.accountId)).toMatchObject({ balance: 10_000 });
  });

  it('a release voids the authorization in the same transaction that frees the dates', async () => {
    const w = await wallet('releaser', 10_000);
    const dates = freshDates(1);
    const hold = (await holdWithMoney(w.token, dates, w.accountId)).data.holdDates.hold;
    await app.gql(w.token, RELEASE_HOLD, { input: { holdId: hold.id } });
    expect((await app.gql(w.token, HOLD, { id: hold.id })).data.hold.authorization.status).toBe('VOIDED');
    expect(await fundsOf(app, w.token, w.accountId)).toMatchObject({ reserved: 0, available: 10_000 });
    expect(await statusesOf(dates)).toEqual(['AVAILABLE']);
  });

  it('of many holds from one account on distinct dates at once, exactly as many as the funds cover are held', async () => {
    const w = await wallet('crowd', 7 * PRICE);
    const dates = freshDates(20);
    const responses = await Promise.all(dates.map((date) => holdWithMoney(w.token, [date], w.accountId)));
    const kinds = responses.map((r) => r.data.holdDates.__typename);
    expect(kinds.filter((k) => k === 'DatesHeld')).toHaveLength(7);
    expect(kinds.filter((k) => k === 'InsufficientFunds')).toHaveLength(13);
    const statuses = await statusesOf(dates);
    expect(statuses.filter((s) => s === 'HELD')).toHaveLength(7);
    expect(statuses.filter((s) => s === 'AVAILABLE')).toHaveLength(13);
    expect(await fundsOf(app, w.token, w.accountId)).toMatchObject({ reserved: 7 * PRICE, available: 0 });
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });
});

describe('when a hold is paid from a balance (payHold)', () => {
  it('captures the hold’s own authorization: booked, paid to the house, nothing left reserved', async () => {
    const w = await wallet('payer', 10_000);
    const dates = freshDates(2);
    const hold = (await holdWithMoney(w.token, dates, w.accountId)).data.holdDates.hold;
    const house = await houseBalance();
    const paid = (await payHold(w.token, hold.id, w.accountId)).data.payHold;
    expect(paid).toMatchObject({
      __typename: 'BookingConfirmed',
      booking: { holdId: hold.id, status: 'CONFIRMED', paymentMethod: 'BALANCE', amount: 5_000, refundStatus: null },
      transfer: { fromAccountId: w.accountId, amount: 5_000, authorizationId: hold.authorization.id },
    });
    expect(await fundsOf(app, w.token, w.accountId)).toMatchObject({ balance: 5_000, reserved: 0, available: 5_000 });
    expect(await houseBalance()).toBe(house + 5_000);
    expect(await statusesOf(dates)).toEqual(['BOOKED', 'BOOKED']);
    expect((await app.gql(w.token, HOLD, { id: hold.id })).data.hold).toMatchObject({
      status: 'CONFIRMED',
      authorization: { status: 'CAPTURED' },
    });
  });

  it('10 concurrent payHold of one hold with different keys: one booking, one debit', async () => {
    const w = await wallet('tenpayers', 100_000);
    const hold = (await holdWithMoney(w.token, freshDates(1))).data.holdDates.hold;
    const responses = await Promise.all(Array.from({ length: 10 }, () => payHold(w.token, hold.id, w.accountId)));
    const kinds = responses.map((r) => r.data.payHold.__typename);
    expect(kinds.filter((k) => k === 'BookingConfirmed')).toHaveLength(1);
    for (const r of responses.filter((r) => r.data.payHold.__typename !== 'BookingConfirmed')) {
      expect(r.data.payHold).toEqual({ __typename: 'HoldExpired', hold: { id: hold.id, status: 'CONFIRMED' } });
    }
    expect(await fundsOf(app, w.token, w.accountId)).toMatchObject({ balance: 100_000 - PRICE });
    expect(await app.db.collection('bookings').countDocuments({ userId: 'tenpayers' })).toBe(1);
  });

  it('one account with funds for exactly one of five holds: one BookingConfirmed, four InsufficientFunds, nothing half-done', async () => {
    const w = await wallet('fiveholds', PRICE);
    const holds = await Promise.all(freshDates(5).map(async (date) => (await holdWithMoney(w.token, [date])).data.holdDates.hold));
    const responses = await Promise.all(holds.map((hold) => payHold(w.token, hold.id, w.accountId)));
    const kinds = responses.map((r) => r.data.payHold.__typename);
    expect(kinds.filter((k) => k === 'BookingConfirmed')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'InsufficientFunds')).toHaveLength(4);
    expect(await fundsOf(app, w.token, w.accountId)).toMatchObject({ balance: 0, reserved: 0 });
    const states = await Promise.all(holds.map(async (hold) => (await app.gql(w.token, HOLD, { id: hold.id })).data.hold.status));
    expect(states.filter((s) => s === 'CONFIRMED')).toHaveLength(1);
    expect(states.filter((s) => s === 'HELD')).toHaveLength(4);
    const statuses = await statusesOf(holds.map((hold) => hold.dates[0]));
    expect(statuses.filter((s) => s === 'BOOKED')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'HELD')).toHaveLength(4);
    expect(await app.db.collection('bookings').countDocuments({ userId: 'fiveholds' })).toBe(1);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });

  it('answers someone else’s hold HoldNotFound and someone else’s account AccountNotFound', async () => {
    const w = await wallet('rightful', 10_000);
    const other = await wallet('other-payer', 10_000);
    const hold = (await holdWithMoney(w.token, freshDates(1))).data.holdDates.hold;
    expect((await payHold(other.token, hold.id, other.accountId)).data.payHold).toEqual({ __typename: 'HoldNotFound', holdId: hold.id });
    expect((await payHold(w.token, hold.id, other.accountId)).data.payHold).toEqual({
      __typename: 'AccountNotFound',
      accountId: other.accountId,
    });
    expect(await fundsOf(app, other.token, other.accountId)).toMatchObject({ balance: 10_000 });
  });

  it('replays a retried payHold with its key, paying once', async () => {
    const w = await wallet('retrier', 10_000);
    const hold = (await holdWithMoney(w.token, freshDates(1))).data.holdDates.hold;
    const key = newKey();
    const [first, second] = await Promise.all([payHold(w.token, hold.id, w.accountId, key), payHold(w.token, hold.id, w.accountId, key)]);
    expect(second.data).toEqual(first.data);
    expect(first.data.payHold.__typename).toBe('BookingConfirmed');
    expect(await fundsOf(app, w.token, w.accountId)).toMatchObject({ balance: 10_000 - PRICE });
  });
});

describe('when a balance-paid booking is cancelled', () => {
  it('returns the money from the house account in the same transaction that frees the dates', async () => {
    const w = await wallet('canceller', 10_000);
    const dates = freshDates(2);
    const hold = (await holdWithMoney(w.token, dates, w.accountId)).data.holdDates.hold;
    const { booking } = (await payHold(w.token, hold.id, w.accountId)).data.payHold;
    const house = await houseBalance();
    const cancelled = (await app.gql(w.token, CANCEL, { input: { bookingId: booking.id, idempotencyKey: newKey() } })).data.cancelBooking;
    expect(cancelled).toEqual({
      __typename: 'BookingCancelled',
      booking: { id: booking.id, status: 'CANCELLED', paymentMethod: 'BALANCE', refundStatus: 'SUCCEEDED' },
    });
    expect(await fundsOf(app, w.token, w.accountId)).toMatchObject({ balance: 10_000, available: 10_000 });
    expect(await houseBalance()).toBe(house - 5_000);
    expect(await statusesOf(dates)).toEqual(['AVAILABLE', 'AVAILABLE']);
    expect(await ledgerCheck(app)).toMatchObject({ ok: true, problems: [] });
  });
});
