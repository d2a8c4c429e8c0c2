import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger';
import { connectStripe } from '../src/payments';
import { startTestApp, type TestApp } from './support/app';
import { createResource, dayFromToday, holdDates, RELEASE_HOLD } from './support/operations';
import { authorizationOf, collections, holdAndCheckout, MY_BOOKINGS, oid } from './support/payments';

/** The local ("stripe-mock") server, and one configured as with a real key. */
let local: TestApp;
let real: TestApp;
beforeAll(async () => {
  [local, real] = await Promise.all([startTestApp({ localPayments: true }), startTestApp()]);
});
afterAll(async () => {
  await Promise.all([local?.stop(), real?.stop()]);
});

async function simulate(app: TestApp, holdId: unknown, authorization?: string) {
  const response = await fetch(`${app.url}/dev/simulate-payment`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ holdId }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const codeOf = (body: any) => body.errors?.[0]?.extensions?.code;

describe('when payments run against stripe-mock (local mode)', () => {
  it("delivers a signed checkout.session.completed to the server's own webhook, which books the hold", async () => {
    const resource = await createResource(local);
    const alice = await local.token('alice');
    const date = dayFromToday(local, 4);
    const checkout = await holdAndCheckout(local, alice, resource.id, [date]);

    const answer = await simulate(local, checkout.holdId, `Bearer ${alice}`);

    expect(answer).toMatchObject({
      status: 200,
      body: { delivered: true, checkoutSessionId: checkout.sessionId, webhook: { received: true, handled: true, outcome: 'confirmed' } },
    });
    // The webhook path recorded the event (in the same transaction as its effect): it was verified and applied there.
    const { events, holds, bookings } = collections(local);
    expect(await events.findOne({ _id: answer.body.eventId })).toMatchObject({ type: 'checkout.session.completed' });
    expect((await holds.findOne({ _id: oid(checkout.holdId) }))?.state).toBe('confirmed');
    const booking = await bookings.findOne({ holdId: oid(checkout.holdId) });
    expect(booking).toMatchObject({ status: 'CONFIRMED', checkoutSessionId: checkout.sessionId });
    // The simulated event is what Stripe sends for a manual-capture session: the card authorized, then captured by us.
    expect(await events.findOne({ _id: answer.body.eventId })).toMatchObject({ outcome: 'confirmed' });
    expect(await authorizationOf(local, booking!._id)).toMatchObject({ action: 'capture', state: 'done', attempts: 1 });
    const mine = await local.gql(alice, MY_BOOKINGS);
    expect(mine.data.myBookings.edges.map((e: any) => e.node)).toMatchObject([
      { holdId: checkout.holdId, status: 'CONFIRMED', dates: [date] },
    ]);

    // A paid hold cannot be paid again.
    const again = await simulate(local, checkout.holdId, `Bearer ${alice}`);
    expect(again.status).toBe(409);
    expect(codeOf(again.body)).toBe('HOLD_NOT_PAYABLE');
    expect(await bookings.countDocuments({ holdId: oid(checkout.holdId) })).toBe(1);
  });

  it("answers someone else's hold (admins' too) as a missing one, and needs a valid token", async () => {
    const resource = await createResource(local);
    const checkout = await holdAndCheckout(local, await local.token('alice'), resource.id, [dayFromToday(local, 5)]);

    for (const who of [await local.token('bob'), await local.token('ops', 'admin')]) {
      const answer = await simulate(local, checkout.holdId, `Bearer ${who}`);
      expect(answer.status).toBe(404);
      expect(codeOf(answer.body)).toBe('NOT_FOUND');
    }
    expect((await simulate(local, checkout.holdId)).status).toBe(401);
    const forged = await simulate(local, checkout.holdId, 'Bearer not.a.token');
    expect([forged.status, codeOf(forged.body)]).toEqual([401, 'UNAUTHENTICATED']);
    const missing = await simulate(local, 'not-an-id', `Bearer ${await local.token('alice')}`);
    expect([missing.status, codeOf(missing.body)]).toEqual([404, 'NOT_FOUND']);
    const malformed = await simulate(local, 42, `Bearer ${await local.token('alice')}`);
    expect([malformed.status, codeOf(malformed.body)]).toEqual([400, 'BAD_REQUEST']);
    expect((await collections(local).holds.findOne({ _id: oid(checkout.holdId) }))?.state).toBe('held');
  });

  it('refuses a hold whose checkout was never started, and one that was released', async () => {
    const resource = await createResource(local);
    const alice = await local.token('alice');
    const held = await holdDates(local, alice, resource.id, [dayFromToday(local, 6)]);
    const holdId = held.data.holdDates.hold.id;

    const notStarted = await simulate(local, holdId, `Bearer ${alice}`);
    expect([notStarted.status, codeOf(notStarted.body)]).toEqual([409, 'CHECKOUT_NOT_STARTED']);
    expect(notStarted.body.errors[0].message).toMatch(/press Pay/);

    const checkout = await holdAndCheckout(local, alice, resource.id, [dayFromToday(local, 7)]);
    await local.gql(alice, RELEASE_HOLD, { input: { holdId: checkout.holdId } });
    const released = await simulate(local, checkout.holdId, `Bearer ${alice}`);
    expect([released.status, codeOf(released.body)]).toEqual([409, 'HOLD_NOT_PAYABLE']);
    expect(released.body.errors[0].message).toMatch(/released/);
    expect(await collections(local).bookings.countDocuments({ holdId: { $in: [oid(holdId), oid(checkout.holdId)] } })).toBe(0);
  });

  it('says so on GET, so the page knows to offer it', async () => {
    const response = await fetch(`${local.url}/dev/simulate-payment`);
    expect([response.status, await response.json()]).toEqual([200, { available: true }]);
  });
});

describe('when payments run against real Stripe', () => {
  it('has no simulate-payment route at all', async () => {
    const resource = await createResource(real);
    const alice = await real.token('alice');
    const checkout = await holdAndCheckout(real, alice, resource.id, [dayFromToday(real, 4)]);

    const answer = await simulate(real, checkout.holdId, `Bearer ${alice}`);
    expect([answer.status, codeOf(answer.body)]).toEqual([404, 'NOT_FOUND']);
    expect((await fetch(`${real.url}/dev/simulate-payment`)).status).toBe(404);
    expect((await collections(real).holds.findOne({ _id: oid(checkout.holdId) }))?.state).toBe('held');
  });

  it('is what a real key configures; only stripe-mock is local', async () => {
    const logger = createLogger('silent');
    const urls = { successUrl: 'http://localhost/success', cancelUrl: 'http://localhost/cancel' };
    const withKey = await connectStripe({ secretKey: 'sk_test_abc', webhookSecret: 'whsec_x', ...urls }, '/nonexistent', logger);
    const withMock = await connectStripe({ webhookSecret: 'whsec_x', apiBase: 'http://127.0.0.1:12111', ...urls }, '/nonexistent', logger);
    expect([withKey.local, withMock.local]).toEqual([false, true]);
    await Promise.all([withKey.stop(), withMock.stop()]);
  });
});
