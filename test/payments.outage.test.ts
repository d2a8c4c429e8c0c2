import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, startTestApp, type TestApp } from './support/app';
import { startOutageProxy } from './support/outageProxy';
import { createResource, dayFromToday, holdDates } from './support/operations';
import { checkoutEvent, checkoutHold, collections, deliver, holdAndCheckout, oid, refundOf } from './support/payments';

const HOLD_TTL_SECONDS = 1800;
let app: TestApp;
let proxy: Awaited<ReturnType<typeof startOutageProxy>>;
beforeAll(async () => {
  proxy = await startOutageProxy(inject('stripeApiBase'));
  app = await startTestApp({ holdTtlSeconds: HOLD_TTL_SECONDS, stripeApiBase: proxy.url });
});
afterAll(async () => {
  await app.stop();
  await proxy.stop();
});

describe('when Stripe cannot be reached while a refund is due', () => {
  it('keeps the refund pending, answers 500, and sends it exactly once on redelivery', async () => {
    const resource = await createResource(app);
    const date = dayFromToday(app, 5);
    const checkout = await holdAndCheckout(app, await app.token('alice'), resource.id, [date]);
    app.clock.advance(HOLD_TTL_SECONDS * 1000 + 1);
    expect((await holdDates(app, await app.token('bob'), resource.id, [date])).data.holdDates.__typename).toBe('DatesHeld');
    // A payment taken at once (a session opened with automatic capture): only it can need a refund.
    const event = checkoutEvent('checkout.session.completed', { ...checkout, capture: 'automatic' });
    const { bookings, events } = collections(app);

    proxy.down();
    const duringOutage = await deliver(app, event);
    const pending = await bookings.findOne({ holdId: oid(checkout.holdId) });
    const pendingRefund = await refundOf(app, pending!._id);

    proxy.up();
    const redeliveries = await Promise.all(Array.from({ length: 5 }, () => deliver(app, event)));
    const later = await deliver(app, event);

    expect(duringOutage.status).toBe(500);
    expect(pending).toMatchObject({ status: 'REFUNDED' });
    expect(pendingRefund).toMatchObject({ state: 'pending', id: null, attempts: 1, leaseUntil: null });
    expect(redeliveries.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect(later).toMatchObject({ status: 200, body: { reason: 'duplicate' } });
    const settled = await bookings.find({ holdId: oid(checkout.holdId) }).toArray();
    expect(settled).toHaveLength(1);
    // One failed attempt, then one that reached Stripe; none after it was done.
    expect(await refundOf(app, settled[0]._id)).toMatchObject({ state: 'done', attempts: 2, id: expect.stringMatching(/^re_/) });
    expect(await events.countDocuments({ _id: event.id })).toBe(1);
  });

  it('cancels a booking even when the refund has to wait, and a later cancel sends it', async () => {
    const resource = await createResource(app);
    const alice = await app.token('alice');
    const checkout = await holdAndCheckout(app, alice, resource.id, [dayFromToday(app, 6)]);
    await deliver(app, checkoutEvent('checkout.session.completed', checkout));
    const bookingId = (await collections(app).bookings.findOne({ holdId: oid(checkout.holdId) }))!._id.toHexString();
    const cancel = (key: string) =>
      app.gql(
        alice,
        'mutation($i: CancelBookingInput!) { cancelBooking(input: $i) { __typename ... on BookingCancelled { booking { status refundStatus } } } }',
        {
          i: { bookingId, idempotencyKey: key },
        },
      );

    proxy.down();
    const first = await cancel('cancel-during-outage');
    proxy.up();
    const second = await cancel('cancel-after-outage');

    expect(first.data.cancelBooking).toEqual({ __typename: 'BookingCancelled', booking: { status: 'CANCELLED', refundStatus: 'PENDING' } });
    expect(second.data.cancelBooking).toEqual({
      __typename: 'BookingCancelled',
      booking: { status: 'CANCELLED', refundStatus: 'SUCCEEDED' },
    });
    expect(await refundOf(app, oid(bookingId))).toMatchObject({ state: 'done', attempts: 2 });
  });
});

describe('when Stripe cannot be reached at checkout', () => {
  it('answers PAYMENT_PROVIDER_ERROR, records nothing, and the same key works once Stripe is back', async () => {
    const resource = await createResource(app);
    const alice = await app.token('alice');
    const held = await holdDates(app, alice, resource.id, [dayFromToday(app, 7)]);
    const holdId = held.data.holdDates.hold.id as string;

    proxy.down();
    const failed = await checkoutHold(app, alice, holdId, 'checkout-through-outage');
    const afterFailure = await collections(app).holds.findOne({ _id: oid(holdId) });
    proxy.up();
    const retried = await checkoutHold(app, alice, holdId, 'checkout-through-outage');

    expect(errorCode(failed)).toBe('PAYMENT_PROVIDER_ERROR');
    expect(failed.errors?.[0].extensions?.retryable).toBe(true);
    expect(afterFailure?.checkout).toBeUndefined();
    expect(retried.data.checkoutHold.__typename).toBe('CheckoutStarted');
  });
});
