import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../src/errors';
import type { WebhookProcessor } from '../src/payments';
import { stripeWebhookRoute } from '../src/http/testing';
import { startTestApp, type TestApp } from './support/app';
import { ACCOUNT, openAccount } from './support/ledger';
import { AVAILABILITY, createResource, dayFromToday, holdDates } from './support/operations';
import { BOOKING, checkoutEvent, collections, deliver, holdAndCheckout, oid, refundOf, startTopUp, topUpEvent } from './support/payments';

const HOLD_TTL_SECONDS = 1800;
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ holdTtlSeconds: HOLD_TTL_SECONDS });
});
afterAll(() => app.stop());

async function availability(resourceId: string, from: string, to = from) {
  const response = await app.gql(await app.token('viewer'), AVAILABILITY, { resourceId, from, to });
  return response.data.availability as { date: string; remaining: number; status: string }[];
}

describe('when Stripe reports a paid Checkout for a live hold', () => {
  it('confirms the hold, creates one CONFIRMED booking and shows the dates BOOKED', async () => {
    const resource = await createResource(app);
    const alice = await app.token('alice');
    const dates = [dayFromToday(app, 5), dayFromToday(app, 6)];
    const checkout = await holdAndCheckout(app, alice, resource.id, dates);

    const response = await deliver(app, checkoutEvent('checkout.session.completed', checkout));

    expect(response).toMatchObject({ status: 200, body: { received: true, handled: true, outcome: 'confirmed' } });
    const { bookings, holds } = collections(app);
    const booking = await bookings.findOne({ holdId: oid(checkout.holdId) });
    expect(booking).toMatchObject({
      status: 'CONFIRMED',
      checkoutSessionId: checkout.sessionId,
      dates,
      amount: 25_000,
      currency: 'EUR',
    });
    expect(await refundOf(app, booking!._id)).toBeNull();
    expect((await holds.findOne({ _id: oid(checkout.holdId) }))?.state).toBe('confirmed');
    expect((await availability(resource.id, dates[0], dates[1])).map((d) => d.status)).toEqual(['BOOKED', 'BOOKED']);

    const read = await app.gql(alice, BOOKING, { id: booking!._id.toHexString() });
    expect(read.data.booking).toMatchObject({ status: 'CONFIRMED', holdId: checkout.holdId, dates, amount: 25_000, refundStatus: null });
    expect((await app.gql(await app.token('mallory'), BOOKING, { id: booking!._id.toHexString() })).data.booking).toBeNull();
  });

  it('keeps the booked dates after the hold would have expired', async () => {
    const resource = await createResource(app);
    const date = dayFromToday(app, 7);
    const checkout = await holdAndCheckout(app, await app.token('alice'), resource.id, [date]);
    await deliver(app, checkoutEvent('checkout.session.completed', checkout));
    app.clock.advance(2 * HOLD_TTL_SECONDS * 1000);
    expect((await availability(resource.id, date))[0]).toMatchObject({ remaining: 0, status: 'BOOKED' });
    expect((await holdDates(app, await app.token('bob'), resource.id, [date])).data.holdDates.__typename).toBe('DatesUnavailable');
  });
});

describe('when the same event is delivered 20 times at once', () => {
  it('confirms once and creates exactly one booking', async () => {
    const resource = await createResource(app);
    const checkout = await holdAndCheckout(app, await app.token('alice'), resource.id, [dayFromToday(app, 8)]);
    const event = checkoutEvent('checkout.session.completed', checkout);

    const responses = await Promise.all(Array.from({ length: 20 }, () => deliver(app, event)));

    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(responses.filter((r) => r.body.handled === true)).toHaveLength(1);
    expect(responses.filter((r) => r.body.reason === 'duplicate')).toHaveLength(19);
    const { bookings, events } = collections(app);
    expect(await bookings.countDocuments({ holdId: oid(checkout.holdId) })).toBe(1);
    expect(await events.find({ _id: event.id }).toArray()).toEqual([expect.objectContaining({ outcome: 'confirmed' })]);
  });
});

describe('when a payment taken at once (a session opened with automatic capture) arrives after the hold expired', () => {
  it('refunds once and leaves the other user’s new hold untouched when the date was re-held', async () => {
    const resource = await createResource(app);
    const date = dayFromToday(app, 9);
    const checkout = await holdAndCheckout(app, await app.token('alice'), resource.id, [date]);
    app.clock.advance(HOLD_TTL_SECONDS * 1000 + 1);
    const bobHeld = await holdDates(app, await app.token('bob'), resource.id, [date]);
    expect(bobHeld.data.holdDates.__typename).toBe('DatesHeld');
    const { bookings, holds, slots } = collections(app);
    const bobHoldBefore = await holds.findOne({ _id: oid(bobHeld.data.holdDates.hold.id) });
    const slotBefore = await slots.findOne({ resourceId: oid(resource.id), date });

    const event = checkoutEvent('checkout.session.completed', { ...checkout, capture: 'automatic' });
    const responses = await Promise.all(Array.from({ length: 5 }, () => deliver(app, event)));
    const redelivered = await deliver(app, event);

    expect([...responses, redelivered].map((r) => r.status)).toEqual(Array(6).fill(200));
    const refunded = await bookings.find({ holdId: oid(checkout.holdId) }).toArray();
    expect(refunded).toHaveLength(1);
    expect(refunded[0]).toMatchObject({ status: 'REFUNDED', paymentIntentId: checkout.paymentIntentId ?? `pi_for_${checkout.sessionId}` });
    // stripe-mock forgets every refund, so count what we recorded: one attempt, one refund id.
    expect(await refundOf(app, refunded[0]._id)).toMatchObject({ state: 'done', attempts: 1, id: expect.stringMatching(/^re_/) });
    expect(await holds.findOne({ _id: oid(bobHeld.data.holdDates.hold.id) })).toEqual(bobHoldBefore);
    const slotAfter = await slots.findOne({ resourceId: oid(resource.id), date });
    expect(slotAfter!.claims).toEqual(slotBefore!.claims);
    expect((await holds.findOne({ _id: oid(checkout.holdId) }))?.state).toBe('released');

    const read = await app.gql(await app.token('alice'), BOOKING, { id: refunded[0]._id.toHexString() });
    expect(read.data.booking).toMatchObject({ status: 'REFUNDED', refundStatus: 'SUCCEEDED' });
  });

  it('re-claims the dates and confirms when nobody took them meanwhile', async () => {
    const resource = await createResource(app, { capacity: 2 });
    const [d1, d2] = [dayFromToday(app, 11), dayFromToday(app, 12)];
    const checkout = await holdAndCheckout(app, await app.token('alice'), resource.id, [d1, d2]);
    app.clock.advance(HOLD_TTL_SECONDS * 1000 + 1);
    // Carol's hold on d1 drops Alice's lapsed claim there, but one unit of capacity is still free.
    expect((await holdDates(app, await app.token('carol'), resource.id, [d1])).data.holdDates.__typename).toBe('DatesHeld');

    const response = await deliver(app, checkoutEvent('checkout.session.completed', checkout));

    expect(response.body.outcome).toBe('confirmed');
    const { bookings, slots } = collections(app);
    expect((await bookings.findOne({ holdId: oid(checkout.holdId) }))?.status).toBe('CONFIRMED');
    for (const date of [d1, d2]) {
      const slot = await slots.findOne({ resourceId: oid(resource.id), date });
      expect(slot!.claims.filter((c) => c.holdId.toHexString() === checkout.holdId)).toEqual([
        expect.objectContaining({ state: 'booked', expiresAt: null }),
      ]);
    }
    expect((await availability(resource.id, d1))[0]).toMatchObject({ remaining: 0, status: 'HELD' });
  });

  it('confirms a hold the sweeper already expired, when its dates are still free', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const date = dayFromToday(app, 13);
    const checkout = await holdAndCheckout(app, await app.token('alice'), resource.id, [date]);
    app.clock.advance(HOLD_TTL_SECONDS * 1000 + 1);
    await app.app.services.sweeper.sweepOnce();
    const { bookings, holds } = collections(app);
    expect((await holds.findOne({ _id: oid(checkout.holdId) }))?.state).toBe('expired');
    expect((await availability(resource.id, date))[0].status).toBe('AVAILABLE');

    const response = await deliver(app, checkoutEvent('checkout.session.completed', checkout));

    expect(response.body.outcome).toBe('confirmed');
    expect((await holds.findOne({ _id: oid(checkout.holdId) }))?.state).toBe('confirmed');
    expect((await bookings.findOne({ holdId: oid(checkout.holdId) }))?.status).toBe('CONFIRMED');
    expect((await availability(resource.id, date))[0]).toMatchObject({ remaining: 0, status: 'BOOKED' });
  });

  it('voids without booking any date when only some of the dates were taken', async () => {
    const resource = await createResource(app);
    const [d1, d2] = [dayFromToday(app, 13), dayFromToday(app, 14)];
    const checkout = await holdAndCheckout(app, await app.token('alice'), resource.id, [d1, d2]);
    app.clock.advance(HOLD_TTL_SECONDS * 1000 + 1);
    await holdDates(app, await app.token('bob'), resource.id, [d2]);

    const response = await deliver(app, checkoutEvent('checkout.session.completed', checkout));

    expect(response.body.outcome).toBe('void_due');
    expect((await availability(resource.id, d1, d2)).map((d) => d.status)).toEqual(['AVAILABLE', 'HELD']);
    const { slots } = collections(app);
    const d1Slot = await slots.findOne({ resourceId: oid(resource.id), date: d1 });
    expect(d1Slot!.claims).toEqual([]);
  });
});

describe('when events arrive out of order or about unknown things', () => {
  it('ignores an expired event after the completed one', async () => {
    const resource = await createResource(app);
    const date = dayFromToday(app, 15);
    const checkout = await holdAndCheckout(app, await app.token('alice'), resource.id, [date]);
    await deliver(app, checkoutEvent('checkout.session.completed', checkout));

    const late = await deliver(app, checkoutEvent('checkout.session.expired', checkout));

    expect(late.status).toBe(200);
    expect(late.body.outcome).toMatch(/^nothing_to_do/);
    expect((await collections(app).bookings.findOne({ holdId: oid(checkout.holdId) }))?.status).toBe('CONFIRMED');
    expect((await availability(resource.id, date))[0].status).toBe('BOOKED');
  });

  it('treats a second completed event for the same session as already settled', async () => {
    const resource = await createResource(app);
    const checkout = await holdAndCheckout(app, await app.token('alice'), resource.id, [dayFromToday(app, 16)]);
    await deliver(app, checkoutEvent('checkout.session.completed', checkout));
    const again = await deliver(app, checkoutEvent('checkout.session.async_payment_succeeded', checkout));
    expect(again.body).toMatchObject({ handled: true, outcome: 'already_settled' });
    expect(await collections(app).bookings.countDocuments({ holdId: oid(checkout.holdId) })).toBe(1);
  });

  it('answers 200 for a completed event naming a hold that does not exist, and books nothing', async () => {
    const before = await collections(app).bookings.countDocuments();
    const response = await deliver(
      app,
      checkoutEvent('checkout.session.completed', { holdId: '65f000000000000000000000', sessionId: 'cs_test_unknown' }),
    );
    expect(response).toMatchObject({ status: 200, body: { outcome: 'nothing_to_do: unknown hold' } });
    expect(await collections(app).bookings.countDocuments()).toBe(before);
  });

  it('releases the hold and frees its dates when the session expires unpaid', async () => {
    const resource = await createResource(app);
    const date = dayFromToday(app, 17);
    const checkout = await holdAndCheckout(app, await app.token('alice'), resource.id, [date]);
    const response = await deliver(app, checkoutEvent('checkout.session.expired', checkout));
    expect(response.body.outcome).toBe('released');
    expect((await collections(app).holds.findOne({ _id: oid(checkout.holdId) }))?.state).toBe('released');
    expect((await availability(resource.id, date))[0].status).toBe('AVAILABLE');
  });

  it('does not release a hold for an event about another session of it', async () => {
    const resource = await createResource(app);
    const date = dayFromToday(app, 18);
    const checkout = await holdAndCheckout(app, await app.token('alice'), resource.id, [date]);
    const response = await deliver(app, checkoutEvent('checkout.session.expired', { ...checkout, sessionId: 'cs_test_someother' }));
    expect(response.body.outcome).toMatch(/^nothing_to_do/);
    expect((await availability(resource.id, date))[0].status).toBe('HELD');
  });

  it('waits on a delayed payment, then confirms it when it succeeds', async () => {
    const resource = await createResource(app);
    const date = dayFromToday(app, 19);
    const checkout = await holdAndCheckout(app, await app.token('alice'), resource.id, [date]);
    // A session opened before holds were only authorized, paid by bank debit.
    const completed = await deliver(
      app,
      checkoutEvent('checkout.session.completed', { ...checkout, paymentStatus: 'unpaid', capture: 'automatic' }),
    );
    expect(completed.body.outcome).toBe('awaiting_payment');
    expect((await collections(app).bookings.findOne({ holdId: oid(checkout.holdId) }))?.status).toBe('PENDING_PAYMENT');

    const succeeded = await deliver(app, checkoutEvent('checkout.session.async_payment_succeeded', checkout));

    expect(succeeded.body.outcome).toBe('confirmed');
    const all = await collections(app)
      .bookings.find({ holdId: oid(checkout.holdId) })
      .toArray();
    expect(all.map((b) => b.status)).toEqual(['CONFIRMED']);
    expect((await availability(resource.id, date))[0].status).toBe('BOOKED');
  });

  it('cancels the waiting booking and frees the dates when a delayed payment fails', async () => {
    const resource = await createResource(app);
    const date = dayFromToday(app, 20);
    const checkout = await holdAndCheckout(app, await app.token('alice'), resource.id, [date]);
    await deliver(app, checkoutEvent('checkout.session.completed', { ...checkout, paymentStatus: 'unpaid', capture: 'automatic' }));
    const failed = await deliver(app, checkoutEvent('checkout.session.async_payment_failed', checkout));
    expect(failed.body.outcome).toBe('released');
    expect((await collections(app).bookings.findOne({ holdId: oid(checkout.holdId) }))?.status).toBe('CANCELLED');
    expect((await availability(resource.id, date))[0].status).toBe('AVAILABLE');
  });
});

describe('when a delivery is not a genuine, fresh Stripe event', () => {
  async function everything() {
    const { bookings, holds, slots, events } = collections(app);
    const [b, h, s, e] = await Promise.all(
      [bookings, holds, slots, events].map((c) => (c as typeof events).find().sort({ _id: 1 }).toArray()),
    );
    return { b, h, s, e };
  }

  it('refuses each with the right status and writes nothing', async () => {
    const resource = await createResource(app);
    const checkout = await holdAndCheckout(app, await app.token('alice'), resource.id, [dayFromToday(app, 21)]);
    const event = checkoutEvent('checkout.session.completed', checkout);
    const payload = JSON.stringify(event);
    const signed = app.stripe.webhooks.generateTestHeaderString({ payload, secret: app.webhookSecret });
    const before = await everything();

    const forged = await deliver(app, event, { header: signed.replace(/v1=[0-9a-f]{8}/, 'v1=00000000') });
    const wrongSecret = await deliver(app, event, { secret: 'whsec_not_ours' });
    const stale = await deliver(app, event, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    const unsigned = await deliver(app, event, { header: null });
    const garbageHeader = await deliver(app, event, { header: 'nonsense' });
    const malformed = await deliver(app, '{"id": "evt_broken", "type": ');
    const notAnEvent = await deliver(app, JSON.stringify({ hello: 'world' }));
    const tamperedBody = await fetch(`${app.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signed },
      body: payload.replace('"unpaid"', '"paid"'),
    });
    const unknownType = await deliver(app, {
      ...event,
      id: 'evt_unknown_type',
      type: 'customer.created',
      data: { object: { id: 'cus_1', object: 'customer' } },
    });

    expect({
      forged: forged.status,
      wrongSecret: wrongSecret.status,
      stale: stale.status,
      unsigned: unsigned.status,
      garbageHeader: garbageHeader.status,
      malformed: malformed.status,
      notAnEvent: notAnEvent.status,
      tamperedBody: tamperedBody.status,
      unknownType: unknownType.status,
    }).toEqual({
      forged: 400,
      wrongSecret: 400,
      stale: 400,
      unsigned: 400,
      garbageHeader: 400,
      malformed: 400,
      notAnEvent: 400,
      tamperedBody: 400,
      unknownType: 200,
    });
    expect(unknownType.body).toMatchObject({ handled: false, reason: 'ignored' });
    expect(await everything()).toEqual(before);

    // The genuine delivery of the same event still works afterwards.
    expect((await deliver(app, event)).body.outcome).toBe('confirmed');
  });

  it('answers 200 and records nothing for a Checkout whose purpose has no handler yet', async () => {
    const before = await everything();
    for (const purpose of ['top_up', 'constructor']) {
      const event = checkoutEvent('checkout.session.completed', { holdId: '65f000000000000000000001', sessionId: `cs_test_${purpose}` });
      event.data.object.metadata.purpose = purpose;
      expect(await deliver(app, event)).toMatchObject({ status: 200, body: { handled: false, reason: 'ignored' } });
    }
    expect(await everything()).toEqual(before);
  });

  it('accepts a signature made 299 seconds ago', async () => {
    const resource = await createResource(app);
    const checkout = await holdAndCheckout(app, await app.token('alice'), resource.id, [dayFromToday(app, 22)]);
    const response = await deliver(app, checkoutEvent('checkout.session.expired', checkout), {
      timestamp: Math.floor(Date.now() / 1000) - 299,
    });
    expect(response.status).toBe(200);
  });
});

describe('when an event can never take effect', () => {
  it('answers 200 with the code it ignored, writes nothing, and applies once when resent after a fix', async () => {
    const owner = await app.token('brimful');
    const accountId = await openAccount(app, owner);
    const started = (await startTopUp(app, owner, accountId, 2_500)).data.topUp;
    const accounts = app.db.collection('accounts');
    const entries = app.db.collection('ledgerEntries');
    const topUps = app.db.collection('topUps');
    const { events } = collections(app);
    // 1,000 below the largest exact balance: a 2,500 credit would pass it, so the deposit path refuses.
    await accounts.updateOne({ _id: oid(accountId) }, { $set: { balance: Number.MAX_SAFE_INTEGER - 1_000 } });
    const event = topUpEvent('checkout.session.completed', started);
    const snapshot = async () => ({
      account: await accounts.findOne({ _id: oid(accountId) }),
      topUp: await topUps.findOne({ _id: oid(started.topUpId) }),
      entries: await entries.countDocuments({ accountId: oid(accountId) }),
      recorded: await events.countDocuments({ _id: event.id }),
    });
    const before = await snapshot();

    const first = await deliver(app, event);
    const again = await deliver(app, event);

    expect([first, again]).toEqual(Array(2).fill({ status: 200, body: { received: true, ignored: 'BAD_USER_INPUT' } }));
    // The transaction aborted: no credit, no entry, the top-up still open, and no stripeEvents record.
    expect(await snapshot()).toEqual(before);
    expect(before).toMatchObject({ topUp: { state: 'open' }, entries: 0, recorded: 0 });

    // Not recording it is what lets an operator fix the cause and resend the event from Stripe.
    await accounts.updateOne({ _id: oid(accountId) }, { $set: { balance: 0 } });
    expect((await deliver(app, event)).body).toMatchObject({ handled: true, outcome: 'credited' });
    expect((await deliver(app, event)).body).toMatchObject({ handled: false, reason: 'duplicate' });
    expect((await app.gql(owner, ACCOUNT, { id: accountId })).data.account.balance).toBe(2_500);
    expect(await events.countDocuments({ _id: event.id })).toBe(1);
  });
});

describe('when applying an event fails, the route answers what Stripe should do about it', () => {
  /** The real route in front of a processor that fails as told, logging to `logs`. */
  async function routeFailingWith(error: unknown) {
    const logs: { level: number; msg: string; eventId?: string; code?: string }[] = [];
    const logger = pino({ level: 'info', base: undefined }, { write: (line: string) => logs.push(JSON.parse(line)) });
    const webhooks = {
      verify: (rawBody: Buffer) => JSON.parse(rawBody.toString()) as Stripe.Event,
      process: async () => {
        throw error;
      },
    } as unknown as WebhookProcessor;
    const server = express()
      .post('/webhooks/stripe', ...stripeWebhookRoute(webhooks, logger))
      .listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 'checked by the fake' },
      body: JSON.stringify({ id: 'evt_failing', type: 'checkout.session.completed', data: { object: {} } }),
    });
    await new Promise((resolve) => server.close(resolve));
    return { status: response.status, body: await response.json(), log: logs.at(-1) };
  }

  it.each([
    ['a DomainError that is not retryable', new DomainError('BAD_USER_INPUT', 'amount: too much', { field: 'amount' }), 200, 50],
    ['a retryable DomainError', new DomainError('PAYMENT_PROVIDER_ERROR', 'try later', { retryable: true }), 503, 40],
    ['SERVICE_UNAVAILABLE', new DomainError('SERVICE_UNAVAILABLE', 'down'), 503, 40],
    ['any other error', new Error('connection reset'), 500, 50],
  ])('answers %s with %i, logging the event id', async (_, error, status, level) => {
    const { status: answered, body, log } = await routeFailingWith(error);
    expect(answered).toBe(status);
    expect(log).toMatchObject({ level, eventId: 'evt_failing' });
    if (status === 200) expect(body).toEqual({ received: true, ignored: 'BAD_USER_INPUT' });
    else expect(body).not.toHaveProperty('received');
  });
});
