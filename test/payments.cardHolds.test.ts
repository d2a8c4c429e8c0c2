import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { captureIdempotencyKey, voidIdempotencyKey } from '../src/payments';
import { startTestApp, type TestApp } from './support/app';
import { startOutageProxy } from './support/outageProxy';
import { AVAILABILITY, createResource, dayFromToday, holdDates, RELEASE_HOLD } from './support/operations';
import {
  authorizationOf,
  BOOKING,
  CANCEL_BOOKING,
  checkoutEvent,
  collections,
  deliver,
  holdAndCheckout,
  oid,
  refundOf,
  startTopUp,
} from './support/payments';
import { openAccount } from './support/ledger';
import { startStripeProxy, unexpectedState } from './support/stripeProxy';

const HOLD_TTL_SECONDS = 1800;
let app: TestApp;
let stripe: Awaited<ReturnType<typeof startStripeProxy>>;
let outage: Awaited<ReturnType<typeof startOutageProxy>>;
beforeAll(async () => {
  // The API → an outage proxy (to cut Stripe off) → a recording proxy (to refuse as Stripe would) → stripe-mock.
  stripe = await startStripeProxy(inject('stripeApiBase'));
  outage = await startOutageProxy(stripe.url);
  app = await startTestApp({ holdTtlSeconds: HOLD_TTL_SECONDS, stripeApiBase: outage.url });
});
afterAll(async () => {
  await app.stop();
  await outage.stop();
  await stripe.stop();
});

const captures = (pi: string) => stripe.posts(`/v1/payment_intents/${pi}/capture`);
const voids = (pi: string) => stripe.posts(`/v1/payment_intents/${pi}/cancel`);
const refundsOf = (pi: string) => stripe.requests.filter((r) => r.path === '/v1/refunds' && r.params.payment_intent === pi);
/** What the API asked Stripe to do with a payment intent: the idempotency keys of its captures, voids and refunds. */
const stripeCallsFor = (pi: string) => {
  const keys = (requests: { idempotencyKey: string | undefined }[]) => requests.map((r) => r.idempotencyKey);
  return { captures: keys(captures(pi)), voids: keys(voids(pi)), refunds: keys(refundsOf(pi)) };
};

async function statusesOf(resourceId: string, from: string, to = from) {
  const response = await app.gql(await app.token('viewer'), AVAILABILITY, { resourceId, from, to });
  return (response.data.availability as { status: string }[]).map((d) => d.status);
}

let nextDay = 5;
/** A held date with its Checkout opened: the card authorization is then reported by `checkoutEvent`. */
async function openCheckout(owner = 'alice') {
  const resource = await createResource(app);
  const date = dayFromToday(app, nextDay++);
  const checkout = await holdAndCheckout(app, await app.token(owner), resource.id, [date]);
  return { resource, date, checkout, pi: checkout.paymentIntentId };
}

const bookingOf = (holdId: string) => collections(app).bookings.findOne({ holdId: oid(holdId) });

describe('when a hold opens its Checkout', () => {
  it('asks Stripe to authorize the card only (manual capture); a top-up is still captured at once', async () => {
    const { checkout } = await openCheckout();
    const owner = await app.token('topping');
    const accountId = await openAccount(app, owner, 'EUR');
    const topUp = (await startTopUp(app, owner, accountId, 2_500)).data.topUp;

    const sessions = stripe.posts('/v1/checkout/sessions');
    const holdSession = sessions.find((r) => r.params.client_reference_id === checkout.holdId);
    const topUpSession = sessions.find((r) => r.params.client_reference_id === topUp.topUpId);
    expect(holdSession?.params).toMatchObject({ 'payment_intent_data[capture_method]': 'manual', 'metadata[capture]': 'manual' });
    expect(topUpSession?.params).toMatchObject({ 'payment_intent_data[capture_method]': 'automatic', 'metadata[capture]': 'automatic' });
  });
});

describe('when the card is authorized while the hold is still the customer’s', () => {
  it('confirms the booking and captures the payment exactly once, even when the event arrives 10 times at once', async () => {
    const { resource, date, checkout, pi } = await openCheckout();
    const event = checkoutEvent('checkout.session.completed', checkout);

    const responses = await Promise.all(Array.from({ length: 10 }, () => deliver(app, event)));
    const later = await deliver(app, checkoutEvent('checkout.session.completed', checkout));

    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(responses.filter((r) => r.body.outcome === 'confirmed')).toHaveLength(1);
    expect(later.body).toMatchObject({ handled: true, outcome: 'already_settled' });
    const booking = await bookingOf(checkout.holdId);
    expect(booking).toMatchObject({ status: 'CONFIRMED', paymentIntentId: pi });
    expect(await authorizationOf(app, booking!._id)).toMatchObject({ action: 'capture', state: 'done', attempts: 1 });
    expect(stripeCallsFor(pi)).toEqual({ captures: [captureIdempotencyKey(pi)], voids: [], refunds: [] });
    expect(await refundOf(app, booking!._id)).toBeNull();
    expect(await statusesOf(resource.id, date)).toEqual(['BOOKED']);
  });
});

describe('when the card is authorized after the hold was lost', () => {
  it('records the booking VOIDED and cancels the authorization once: nothing charged, nothing refunded', async () => {
    const { resource, date, checkout, pi } = await openCheckout();
    app.clock.advance(HOLD_TTL_SECONDS * 1000 + 1);
    const bob = await holdDates(app, await app.token('bob'), resource.id, [date]);
    expect(bob.data.holdDates.__typename).toBe('DatesHeld');
    const event = checkoutEvent('checkout.session.completed', checkout);

    const responses = await Promise.all(Array.from({ length: 5 }, () => deliver(app, event)));
    const redelivered = await deliver(app, event);

    expect([...responses, redelivered].map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(responses.filter((r) => r.body.outcome === 'void_due')).toHaveLength(1);
    const booking = await bookingOf(checkout.holdId);
    expect(booking).toMatchObject({ status: 'VOIDED', paymentIntentId: pi });
    expect(await authorizationOf(app, booking!._id)).toMatchObject({ action: 'void', state: 'done', attempts: 1 });
    expect(stripeCallsFor(pi)).toEqual({ captures: [], voids: [voidIdempotencyKey(pi)], refunds: [] });
    expect(await refundOf(app, booking!._id)).toBeNull();
    expect((await collections(app).holds.findOne({ _id: oid(checkout.holdId) }))?.state).toBe('released');
    expect(await statusesOf(resource.id, date)).toEqual(['HELD']);
    const read = await app.gql(await app.token('alice'), BOOKING, { id: booking!._id.toHexString() });
    expect(read.data.booking).toMatchObject({ status: 'VOIDED', refundStatus: null });
  });

  it('voids too when the session’s expiry was reported before its completion (out of order)', async () => {
    const { resource, date, checkout, pi } = await openCheckout();

    const expired = await deliver(app, checkoutEvent('checkout.session.expired', checkout));
    const completed = await deliver(app, checkoutEvent('checkout.session.completed', checkout));

    expect([expired.body.outcome, completed.body.outcome]).toEqual(['released', 'void_due']);
    expect(await bookingOf(checkout.holdId)).toMatchObject({ status: 'VOIDED' });
    expect(voids(pi)).toHaveLength(1);
    expect(captures(pi)).toEqual([]);
    expect(await statusesOf(resource.id, date)).toEqual(['AVAILABLE']);
  });

  it('counts an authorization Stripe had already cancelled (it lapsed) as voided', async () => {
    const { checkout, pi } = await openCheckout();
    await app.gql(await app.token('alice'), RELEASE_HOLD, { input: { holdId: checkout.holdId } });
    stripe.refuse(new RegExp(`^/v1/payment_intents/${pi}/cancel$`), unexpectedState(pi, 'canceled'));

    const completed = await deliver(app, checkoutEvent('checkout.session.completed', checkout));

    expect(completed).toMatchObject({ status: 200, body: { outcome: 'void_due' } });
    const booking = await bookingOf(checkout.holdId);
    expect(await authorizationOf(app, booking!._id)).toMatchObject({ action: 'void', state: 'done', attempts: 1 });
  });
});

describe('when the capture cannot reach Stripe', () => {
  it('keeps the booking, answers 500, and the retrier captures it once after its backoff', async () => {
    const { resource, date, checkout, pi } = await openCheckout();
    const event = checkoutEvent('checkout.session.completed', checkout);

    outage.down();
    const duringOutage = await deliver(app, event);
    const failedAt = app.clock.now();
    outage.up();
    const booking = await bookingOf(checkout.holdId);
    const pending = await authorizationOf(app, booking!._id);
    const early = await app.app.services.refundRetrier.retryOnce();
    const capturesWhenEarly = captures(pi).length;
    app.clock.advance(10_000);
    const due = await app.app.services.refundRetrier.retryOnce();
    const again = await app.app.services.refundRetrier.retryOnce();
    const redelivered = await deliver(app, event);

    expect(duringOutage.status).toBe(500);
    expect(booking).toMatchObject({ status: 'CONFIRMED' });
    expect(pending).toMatchObject({ action: 'capture', state: 'pending', attempts: 1, leaseUntil: null, lastError: expect.any(String) });
    expect(pending!.nextAttemptAt!.getTime() - failedAt.getTime()).toBe(10_000);
    expect([early, capturesWhenEarly]).toEqual([0, 0]);
    expect(due).toBeGreaterThanOrEqual(1);
    expect(again).toBe(0);
    expect(redelivered.body).toMatchObject({ reason: 'duplicate' });
    expect(captures(pi).map((r) => r.idempotencyKey)).toEqual([captureIdempotencyKey(pi)]);
    expect(await authorizationOf(app, booking!._id)).toMatchObject({ state: 'done', attempts: 2, nextAttemptAt: null });
    expect(await statusesOf(resource.id, date)).toEqual(['BOOKED']);
  });
});

describe('when Stripe says the authorization can no longer be captured', () => {
  it('releases the booking’s dates and marks it VOIDED, never keeping it CONFIRMED', async () => {
    const { resource, date, checkout, pi } = await openCheckout();
    stripe.refuse(new RegExp(`^/v1/payment_intents/${pi}/capture$`), unexpectedState(pi, 'canceled'));

    const completed = await deliver(app, checkoutEvent('checkout.session.completed', checkout));
    const redelivered = await deliver(app, checkoutEvent('checkout.session.completed', checkout));

    expect(completed).toMatchObject({ status: 200, body: { outcome: 'confirmed' } });
    expect(redelivered.body).toMatchObject({ outcome: 'already_settled' });
    const booking = await bookingOf(checkout.holdId);
    expect(booking).toMatchObject({ status: 'VOIDED' });
    expect(await authorizationOf(app, booking!._id)).toMatchObject({
      action: 'capture',
      state: 'refused',
      attempts: 1,
      lastError: expect.stringContaining('canceled'),
    });
    expect(captures(pi)).toHaveLength(1);
    expect(refundsOf(pi)).toEqual([]);
    expect(await statusesOf(resource.id, date)).toEqual(['AVAILABLE']);
    const cancel = await app.gql(await app.token('alice'), CANCEL_BOOKING, {
      input: { bookingId: booking!._id.toHexString(), idempotencyKey: `cancel-${pi}` },
    });
    expect(cancel.data.cancelBooking).toMatchObject({ __typename: 'BookingNotCancellable', booking: { status: 'VOIDED' } });
    expect((await holdDates(app, await app.token('bob'), resource.id, [date])).data.holdDates.__typename).toBe('DatesHeld');
  });

  it('counts a payment intent Stripe reports captured already as captured', async () => {
    const { checkout, pi } = await openCheckout();
    stripe.refuse(new RegExp(`^/v1/payment_intents/${pi}/capture$`), unexpectedState(pi, 'succeeded'));

    await deliver(app, checkoutEvent('checkout.session.completed', checkout));

    const booking = await bookingOf(checkout.holdId);
    expect(booking).toMatchObject({ status: 'CONFIRMED' });
    expect(await authorizationOf(app, booking!._id)).toMatchObject({ action: 'capture', state: 'done' });
  });
});

describe('when a card booking is cancelled before its capture', () => {
  it('voids the authorization instead of capturing and refunding it', async () => {
    const { resource, date, checkout, pi } = await openCheckout();
    outage.down();
    await deliver(app, checkoutEvent('checkout.session.completed', checkout));
    const booking = await bookingOf(checkout.holdId);
    const alice = await app.token('alice');
    const cancelled = await app.gql(alice, CANCEL_BOOKING, {
      input: { bookingId: booking!._id.toHexString(), idempotencyKey: `cancel-early-${pi}` },
    });
    const voidWhileDown = await authorizationOf(app, booking!._id);
    outage.up();
    app.clock.advance(60_000);
    await app.app.services.refundRetrier.retryOnce();

    expect(cancelled.data.cancelBooking).toMatchObject({
      __typename: 'BookingCancelled',
      booking: { status: 'CANCELLED', refundStatus: null },
    });
    expect(voidWhileDown).toMatchObject({ action: 'void', state: 'pending' });
    expect(await authorizationOf(app, booking!._id)).toMatchObject({ action: 'void', state: 'done' });
    expect(await refundOf(app, booking!._id)).toBeNull();
    expect(stripeCallsFor(pi)).toEqual({ captures: [], voids: [voidIdempotencyKey(pi)], refunds: [] });
    expect(await statusesOf(resource.id, date)).toEqual(['AVAILABLE']);
  });

  it('refunds only after the capture is done when the capture was already in flight', async () => {
    const { checkout, pi } = await openCheckout();
    outage.down();
    await deliver(app, checkoutEvent('checkout.session.completed', checkout));
    outage.up();
    const booking = (await bookingOf(checkout.holdId))!;
    // Another sender holds the capture's lease, as one in the middle of sending it would.
    const { authorizations } = collections(app);
    await authorizations.updateOne({ _id: booking._id }, { $set: { leaseUntil: new Date(app.clock.now().getTime() + 30_000) } });
    const alice = await app.token('alice');

    const cancelled = await app.gql(alice, CANCEL_BOOKING, {
      input: { bookingId: booking._id.toHexString(), idempotencyKey: `cancel-late-${pi}` },
    });
    const refundWhileCapturing = await refundOf(app, booking._id);
    app.clock.advance(60_000);
    await app.app.services.refundRetrier.retryOnce();

    expect(cancelled.data.cancelBooking).toMatchObject({ booking: { status: 'CANCELLED', refundStatus: 'PENDING' } });
    expect(refundWhileCapturing).toMatchObject({ state: 'pending', lastError: expect.stringContaining('not captured yet') });
    expect(refundsOf(pi)).toHaveLength(1);
    expect(await authorizationOf(app, booking._id)).toMatchObject({ action: 'capture', state: 'done' });
    expect(await refundOf(app, booking._id)).toMatchObject({ state: 'done', id: expect.stringMatching(/^re_/) });
    const capturedAt = stripe.requests.findIndex((r) => r.path === `/v1/payment_intents/${pi}/capture`);
    const refundedAt = stripe.requests.findIndex((r) => r.path === '/v1/refunds' && r.params.payment_intent === pi);
    expect(capturedAt).toBeLessThan(refundedAt);
  });
});
