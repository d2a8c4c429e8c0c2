import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';
import { AVAILABILITY, createResource, dayFromToday, holdDates } from './support/operations';
import { CANCEL_BOOKING, checkoutEvent, collections, deliver, holdAndCheckout, MY_BOOKINGS, oid, refundOf } from './support/payments';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

async function confirmedBooking(user: string, days: number) {
  const resource = await createResource(app);
  const token = await app.token(user);
  const date = dayFromToday(app, days);
  const checkout = await holdAndCheckout(app, token, resource.id, [date]);
  await deliver(app, checkoutEvent('checkout.session.completed', checkout));
  const booking = (await collections(app).bookings.findOne({ holdId: oid(checkout.holdId) }))!;
  return { token, resource, date, bookingId: booking._id.toHexString() };
}

function cancel(token: string, bookingId: string, idempotencyKey = `cancel-${bookingId}-${Math.random()}`) {
  return app.gql(token, CANCEL_BOOKING, { input: { bookingId, idempotencyKey } });
}

describe('when the owner cancels a confirmed booking', () => {
  it('frees the dates at once and refunds the payment once', async () => {
    const { token, resource, date, bookingId } = await confirmedBooking('alice', 40);

    const response = await cancel(token, bookingId, 'cancel-once');
    const replay = await cancel(token, bookingId, 'cancel-once');
    const again = await cancel(token, bookingId);

    expect(response.data.cancelBooking).toMatchObject({ __typename: 'BookingCancelled', booking: { id: bookingId, status: 'CANCELLED' } });
    expect(replay.data).toEqual(response.data);
    expect(again.data.cancelBooking).toMatchObject({
      __typename: 'BookingCancelled',
      booking: { status: 'CANCELLED', refundStatus: 'SUCCEEDED' },
    });
    expect(await refundOf(app, oid(bookingId))).toMatchObject({ state: 'done', attempts: 1, id: expect.stringMatching(/^re_/) });
    const availability = await app.gql(token, AVAILABILITY, { resourceId: resource.id, from: date, to: date });
    expect(availability.data.availability[0].status).toBe('AVAILABLE');
    expect((await holdDates(app, await app.token('bob'), resource.id, [date])).data.holdDates.__typename).toBe('DatesHeld');
  });

  it('refunds once when ten cancellations race', async () => {
    const { token, bookingId } = await confirmedBooking('alice', 41);
    const responses = await Promise.all(Array.from({ length: 10 }, () => cancel(token, bookingId)));
    expect(responses.every((r) => r.data.cancelBooking.__typename === 'BookingCancelled')).toBe(true);
    expect(await refundOf(app, oid(bookingId))).toMatchObject({ state: 'done', attempts: 1 });
  });

  it('lists the booking among the owner’s bookings with its status', async () => {
    const { token, bookingId } = await confirmedBooking('dora', 42);
    await cancel(token, bookingId);
    const mine = await app.gql(token, MY_BOOKINGS);
    expect(mine.data.myBookings.edges).toEqual([{ node: expect.objectContaining({ id: bookingId, status: 'CANCELLED', userId: 'dora' }) }]);
  });
});

describe('when the booking cannot be cancelled', () => {
  it('answers BookingNotFound for someone else’s booking and leaves it confirmed', async () => {
    const { bookingId } = await confirmedBooking('alice', 43);
    const response = await cancel(await app.token('mallory'), bookingId);
    expect(response.data.cancelBooking).toEqual({ __typename: 'BookingNotFound', bookingId });
    expect((await collections(app).bookings.findOne({ _id: oid(bookingId) }))?.status).toBe('CONFIRMED');
  });

  it('answers BookingNotCancellable for a voided booking', async () => {
    const resource = await createResource(app);
    const alice = await app.token('alice');
    const checkout = await holdAndCheckout(app, alice, resource.id, [dayFromToday(app, 44)]);
    await app.gql(alice, 'mutation($i: ReleaseHoldInput!) { releaseHold(input: $i) { id } }', { i: { holdId: checkout.holdId } });
    await deliver(app, checkoutEvent('checkout.session.completed', checkout));
    const booking = (await collections(app).bookings.findOne({ holdId: oid(checkout.holdId) }))!;

    const response = await cancel(alice, booking._id.toHexString());

    expect(response.data.cancelBooking).toMatchObject({ __typename: 'BookingNotCancellable', booking: { status: 'VOIDED' } });
  });
});
