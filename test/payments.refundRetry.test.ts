import type { ObjectId } from 'mongodb';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { refundIdempotencyKey } from '../src/payments';
import { startTestApp, type TestApp } from './support/app';
import { startOutageProxy } from './support/outageProxy';
import { createResource, dayFromToday } from './support/operations';
import { BOOKING, CANCEL_BOOKING, checkoutEvent, collections, deliver, holdAndCheckout, oid, refundOf } from './support/payments';

let a: TestApp;
let b: TestApp;
let proxy: Awaited<ReturnType<typeof startOutageProxy>>;
/** Idempotency keys of the refund requests either instance made (each one a refund create). */
const refundRequests: string[] = [];
const recordRefund = (event: Stripe.RequestEvent) => {
  if (event.method === 'POST' && event.path === '/v1/refunds') refundRequests.push(event.idempotency_key ?? '');
};
beforeAll(async () => {
  proxy = await startOutageProxy(inject('stripeApiBase'));
  a = await startTestApp({ stripeApiBase: proxy.url });
  b = await startTestApp({
    stripeApiBase: proxy.url,
    sharing: { db: a.db, jwtSecret: a.jwtSecret, webhookSecret: a.webhookSecret, clock: a.clock },
  });
  a.stripe.on('request', recordRefund);
  b.stripe.on('request', recordRefund);
});
afterAll(async () => {
  await b.stop();
  await a.stop();
  await proxy.stop();
});

let nextDay = 10;
/** A confirmed booking cancelled while Stripe was unreachable: its refund is recorded, not sent. */
async function cancelledDuringOutage(owner: string) {
  const resource = await createResource(a);
  const token = await a.token(owner);
  const checkout = await holdAndCheckout(a, token, resource.id, [dayFromToday(a, nextDay++)]);
  await deliver(a, checkoutEvent('checkout.session.completed', checkout));
  const booking = await collections(a).bookings.findOne({ holdId: oid(checkout.holdId) });
  proxy.down();
  const cancelled = await a.gql(token, CANCEL_BOOKING, {
    input: { bookingId: booking!._id.toHexString(), idempotencyKey: `cancel-${owner}` },
  });
  proxy.up();
  expect(cancelled.data.cancelBooking.booking.refundStatus).toBe('PENDING');
  const key = refundIdempotencyKey(booking!.paymentIntentId!);
  /** Requests for this refund made from now on (while Stripe is up, each one reached stripe-mock). */
  const requestsFromNow = () => {
    const before = refundRequests.filter((k) => k === key).length;
    return () => refundRequests.filter((k) => k === key).length - before;
  };
  return { bookingId: booking!._id, token, requestsFromNow };
}

const refundOfA = (bookingId: ObjectId) => refundOf(a, bookingId);
const retryOnA = () => a.app.services.refundRetrier.retryOnce();

describe('when a refund could not be sent because Stripe was unreachable', () => {
  it('stays pending with a growing backoff while Stripe is down', async () => {
    const { bookingId } = await cancelledDuringOutage('outlasting');
    const first = await refundOfA(bookingId);
    a.clock.advance(10_000);
    proxy.down();
    const retried = await retryOnA();
    proxy.up();

    expect(first).toMatchObject({ state: 'pending', attempts: 1, leaseUntil: null, nextAttemptAt: expect.any(Date) });
    expect(retried).toBe(0);
    const second = await refundOfA(bookingId);
    expect(second).toMatchObject({ state: 'pending', attempts: 2, leaseUntil: null });
    expect(second!.nextAttemptAt!.getTime() - a.clock.now().getTime()).toBe(20_000);
  });

  it('is not tried before its next attempt is due, then sent exactly once', async () => {
    const { bookingId, token, requestsFromNow } = await cancelledDuringOutage('patient');
    const { nextAttemptAt } = (await refundOfA(bookingId))!;
    const requests = requestsFromNow();

    a.clock.advance(nextAttemptAt!.getTime() - a.clock.now().getTime() - 1);
    const early = await retryOnA();
    const requestsWhenEarly = requests();
    a.clock.advance(1);
    const due = await retryOnA();
    const again = await retryOnA();

    expect(early).toBe(0);
    expect(requestsWhenEarly).toBe(0);
    expect(due).toBeGreaterThanOrEqual(1);
    expect(again).toBe(0);
    expect(requests()).toBe(1);
    expect(await refundOfA(bookingId)).toMatchObject({ state: 'done', attempts: 2, id: expect.stringMatching(/^re_/), leaseUntil: null });
    const shown = await a.gql(token, BOOKING, { id: bookingId.toHexString() });
    expect(shown.data.booking.refundStatus).toBe('SUCCEEDED');
  });
});

describe('when two instances retry the same pending refund at once', () => {
  it('sends it once, even alongside a sender outside the retrier', async () => {
    const { bookingId, requestsFromNow } = await cancelledDuringOutage('raced');
    a.clock.advance(120_000); // the refund is due and the retrier lock is free for either instance
    const requests = requestsFromNow();

    const [onA, onB, outcome] = await Promise.all([
      retryOnA(),
      b.app.services.refundRetrier.retryOnce(),
      b.app.services.refunds.send(bookingId),
    ]);

    // The lock lets one retrier work (it also sends other refunds that are due); the refund's own lease does the rest.
    expect(Math.min(onA, onB)).toBe(0);
    expect(['sent', 'in_flight_elsewhere', 'nothing_pending']).toContain(outcome);
    expect(requests()).toBe(1);
    expect(await refundOfA(bookingId)).toMatchObject({ state: 'done', id: expect.stringMatching(/^re_/) });
  });

  it('leaves a refund alone while another sender holds its lease', async () => {
    const { bookingId, requestsFromNow } = await cancelledDuringOutage('leased');
    a.clock.advance(120_000);
    const leaseUntil = new Date(a.clock.now().getTime() + 30_000);
    await collections(a).refunds.updateOne({ _id: bookingId }, { $set: { leaseUntil } });
    const requests = requestsFromNow();

    await retryOnA();
    await b.app.services.refundRetrier.retryOnce();
    const requestsWhileLeased = requests();
    a.clock.advance(30_000);
    const afterLease = (await retryOnA()) + (await b.app.services.refundRetrier.retryOnce());

    expect(requestsWhileLeased).toBe(0);
    expect(afterLease).toBeGreaterThanOrEqual(1);
    expect(requests()).toBe(1);
    expect(await refundOfA(bookingId)).toMatchObject({ state: 'done' });
  });
});
