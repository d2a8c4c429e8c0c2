import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import type { BookingDoc } from '../../src/bookings';
import type { DateSlotDoc } from '../../src/capacity';
import type { HoldDoc } from '../../src/bookings';
import { type CheckoutEventFacts, checkoutSessionEvent } from '../../src/http/testing';
import type { CardAuthorizationDoc, RefundDoc, StripeEventDoc } from '../../src/payments';
import type { TestApp } from './app';
import { holdDates, newKey } from './operations';

export const CHECKOUT_HOLD = `mutation($input: CheckoutHoldInput!) {
  checkoutHold(input: $input) {
    __typename
    ... on CheckoutStarted { checkoutUrl checkoutSessionId hold { id status } }
    ... on HoldExpired { hold { id status } }
    ... on HoldNotFound { holdId }
  }
}`;

const BOOKING_FIELDS = 'id holdId resourceId userId dates amount currency status refundStatus';

export const BOOKING = `query($id: ID!) { booking(id: $id) { ${BOOKING_FIELDS} } }`;
export const MY_BOOKINGS = `query { myBookings { edges { node { ${BOOKING_FIELDS} } } } }`;

export const CANCEL_BOOKING = `mutation($input: CancelBookingInput!) {
  cancelBooking(input: $input) {
    __typename
    ... on BookingCancelled { booking { ${BOOKING_FIELDS} } }
    ... on BookingNotCancellable { booking { ${BOOKING_FIELDS} } }
    ... on BookingNotFound { bookingId }
  }
}`;

export function checkoutHold(app: TestApp, token: string, holdId: string, idempotencyKey = newKey()) {
  return app.gql(token, CHECKOUT_HOLD, { input: { holdId, idempotencyKey } });
}

/** Holds the dates and opens a Checkout for them; fails the test if either step does not succeed. */
export async function holdAndCheckout(app: TestApp, token: string, resourceId: string, dates: string[]) {
  const held = await holdDates(app, token, resourceId, dates);
  if (held.data?.holdDates.__typename !== 'DatesHeld') throw new Error(`hold failed: ${JSON.stringify(held)}`);
  const holdId = held.data.holdDates.hold.id as string;
  const started = await checkoutHold(app, token, holdId);
  if (started.data?.checkoutHold.__typename !== 'CheckoutStarted') throw new Error(`checkout failed: ${JSON.stringify(started)}`);
  return {
    holdId,
    sessionId: started.data.checkoutHold.checkoutSessionId as string,
    paymentIntentId: `pi_test_${randomUUID().slice(0, 12)}`,
  };
}

/** The fields of a hold's Checkout event a test chooses. */
export type CheckoutFacts = CheckoutEventFacts;

/** A Checkout event shaped like Stripe's: the same builder the local "simulate payment" route uses. */
export const checkoutEvent = checkoutSessionEvent;

export interface DeliveryOptions {
  secret?: string;
  /** Unix seconds the signature claims; defaults to now. */
  timestamp?: number;
  /** Replace the whole Stripe-Signature header (or omit it with null). */
  header?: string | null;
}

/** Posts a delivery to the real endpoint, signed the way Stripe signs (unless told otherwise). */
export async function deliver(app: TestApp, event: object | string, options: DeliveryOptions = {}) {
  const payload = typeof event === 'string' ? event : JSON.stringify(event);
  const header =
    options.header !== undefined
      ? options.header
      : app.stripe.webhooks.generateTestHeaderString({
          payload,
          secret: options.secret ?? app.webhookSecret,
          timestamp: options.timestamp,
        });
  const response = await fetch(`${app.url}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header === null ? {} : { 'stripe-signature': header }) },
    body: payload,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export const TOP_UP = `mutation($input: TopUpInput!) {
  topUp(input: $input) { __typename ... on TopUpStarted { topUpId checkoutUrl checkoutSessionId } }
}`;

export function startTopUp(app: TestApp, token: string, accountId: string, amount: number, idempotencyKey = newKey()) {
  return app.gql(token, TOP_UP, { input: { accountId, amount, idempotencyKey } });
}

/** A Checkout event for a top-up, shaped as Stripe sends it (our metadata echoed back). */
export function topUpEvent(type: string, started: { topUpId: string; checkoutSessionId: string }, id?: string) {
  // Top-ups are captured automatically.
  const event = checkoutEvent(type, { holdId: started.topUpId, sessionId: started.checkoutSessionId, capture: 'automatic' }, id);
  event.data.object.metadata = { purpose: 'topup', topUpId: started.topUpId } as never;
  return event;
}

export function collections(app: TestApp) {
  return {
    bookings: app.db.collection<BookingDoc>('bookings'),
    holds: app.db.collection<HoldDoc>('holds'),
    slots: app.db.collection<DateSlotDoc>('dateSlots'),
    events: app.db.collection<StripeEventDoc>('stripeEvents'),
    refunds: app.db.collection<RefundDoc>('refunds'),
    authorizations: app.db.collection<CardAuthorizationDoc>('cardAuthorizations'),
  };
}

/** The refund recorded for a booking (payments keep it in their own collection), or null. */
export function refundOf(app: TestApp, bookingId: ObjectId) {
  return collections(app).refunds.findOne({ _id: bookingId });
}

/** The capture or void recorded for a card booking's authorization, or null. */
export function authorizationOf(app: TestApp, bookingId: ObjectId) {
  return collections(app).authorizations.findOne({ _id: bookingId });
}

export function oid(id: string): ObjectId {
  return new ObjectId(id);
}
