import { type ClientSession, ObjectId } from 'mongodb';
import { assert } from '../assert';
import type { Clock } from '../clock';
import { findById } from '../mongo';
import type { ClaimSteps } from '../capacity';
import type { BookingCollections, BookingDocument, BookingStatus, HoldDocument } from './collections';

/** What Stripe says about one Checkout Session for a hold. */
export interface CheckoutReport {
  holdId: string | null;
  sessionId: string;
  paymentIntentId: string | null;
}

/** How the customer paid: `captured` (the money was taken), or `authorized` (held on the card, to be captured or voided). */
export type CardPayment = 'captured' | 'authorized';

export type CheckoutOutcome =
  | { kind: 'confirmed'; booking: BookingDocument }
  | { kind: 'refund_due'; booking: BookingDocument }
  | { kind: 'void_due'; booking: BookingDocument }
  | { kind: 'awaiting_payment'; booking: BookingDocument }
  | { kind: 'released' }
  | { kind: 'already_settled'; booking: BookingDocument }
  | { kind: 'nothing_to_do'; reason: string };

export interface CheckoutOutcomeDeps {
  collections: BookingCollections;
  claims: ClaimSteps;
  clock: Clock;
}

/**
 * Books every date of the hold or none. A date whose claim is still the hold's own is marked
 * booked; a date whose claim was dropped after the hold lapsed is claimed again through the usual
 * capacity precondition. If any date was taken meanwhile, the claims made here are pulled again
 * in the same transaction, so no partial booking is ever visible.
 */
async function bookAllDates(claims: ClaimSteps, session: ClientSession, hold: HoldDocument, now: Date): Promise<boolean> {
  const booked = { holdId: hold._id, userId: hold.userId, state: 'booked' as const, expiresAt: null };
  for (const date of hold.dates) {
    if (await claims.markBooked(session, hold.resourceId, date, hold._id)) continue;
    if (await claims.claim(session, hold.resourceId, date, booked, now)) continue;
    await claims.release(session, hold.resourceId, hold.dates, hold._id);
    return false;
  }
  return true;
}

async function saveBooking(
  bookings: BookingCollections['bookings'],
  session: ClientSession,
  existing: BookingDocument | null,
  hold: HoldDocument,
  report: CheckoutReport,
  status: BookingStatus,
  now: Date,
): Promise<BookingDocument> {
  if (existing) {
    const updated = await bookings.findOneAndUpdate(
      { _id: existing._id, status: 'PENDING_PAYMENT' },
      { $set: { status, paymentIntentId: report.paymentIntentId ?? existing.paymentIntentId, updatedAt: now } },
      { session, returnDocument: 'after' },
    );
    // bookOrRefund read it PENDING_PAYMENT on this transaction's snapshot; a change since is a write conflict (the transaction re-runs).
    assert(updated, `booking ${existing._id.toHexString()} is still PENDING_PAYMENT in its outcome's transaction`);
    return updated;
  }
  const booking: BookingDocument = {
    _id: new ObjectId(),
    holdId: hold._id,
    paymentMethod: 'CARD',
    checkoutSessionId: report.sessionId,
    paymentIntentId: report.paymentIntentId,
    userId: hold.userId,
    resourceId: hold.resourceId,
    dates: hold.dates,
    amount: hold.amount,
    currency: hold.currency,
    status,
    createdAt: now,
    updatedAt: now,
  };
  await bookings.insertOne(booking, { session });
  return booking;
}

/**
 * The hold side of a Checkout's outcome. Every function runs inside the caller's transaction (the
 * one that also records the Stripe event), so an outcome takes effect together with its dedupe
 * record or not at all; each step is a conditional update on the current state, so redelivered and
 * out-of-order events change nothing.
 */
export function checkoutOutcomes({ collections, claims, clock }: CheckoutOutcomeDeps) {
  const { holds, bookings } = collections;

  const findHold = (session: ClientSession, holdId: string | null): Promise<HoldDocument | null> => findById(holds, holdId, session);

  return {
    /** The booking a Checkout Session produced, if any. */
    bookingOfSession: (sessionId: string): Promise<BookingDocument | null> => bookings.findOne({ checkoutSessionId: sessionId }),

    /**
     * The customer paid, or their card was authorized. Confirms the hold if it is still held
     * (re-claiming lapsed dates when they are free); otherwise the hold was released, confirmed by
     * another payment, or its dates went to someone else, and the booking is recorded REFUNDED
     * (money taken: payments send a refund) or VOIDED (only authorized: payments void it, nothing is
     * charged). Only a session that never reached a final state is acted on (`already_settled` otherwise).
     */
    async bookOrRefund(session: ClientSession, report: CheckoutReport, payment: CardPayment = 'captured'): Promise<CheckoutOutcome> {
      const hold = await findHold(session, report.holdId);
      if (!hold) return { kind: 'nothing_to_do', reason: 'unknown hold' };
      const existing = await bookings.findOne({ checkoutSessionId: report.sessionId }, { session });
      if (existing && existing.status !== 'PENDING_PAYMENT') return { kind: 'already_settled', booking: existing };
      const now = clock.now();
      // A hold the sweeper already marked `expired` is treated like a lapsed `held` one: its dates are re-claimed if free.
      const payable = hold.state === 'held' || hold.state === 'expired';
      if (payable && (await bookAllDates(claims, session, hold, now))) {
        const booking = await saveBooking(bookings, session, existing, hold, report, 'CONFIRMED', now);
        // The snapshot read this state; a concurrent change to the hold makes this a write conflict and the transaction re-runs.
        await holds.updateOne(
          { _id: hold._id, state: hold.state },
          { $set: { state: 'confirmed', bookingId: booking._id, updatedAt: now } },
          { session },
        );
        return { kind: 'confirmed', booking };
      }
      if (hold.state === 'held') {
        await holds.updateOne({ _id: hold._id, state: 'held' }, { $set: { state: 'released', updatedAt: now } }, { session });
      }
      if (payment === 'authorized') {
        return { kind: 'void_due', booking: await saveBooking(bookings, session, existing, hold, report, 'VOIDED', now) };
      }
      return { kind: 'refund_due', booking: await saveBooking(bookings, session, existing, hold, report, 'REFUNDED', now) };
    },

    /**
     * A confirmed booking whose card authorization can no longer be captured (it lapsed, or was
     * cancelled at Stripe): nothing was charged, so it must not stay booked. CONFIRMED → VOIDED and
     * its dates given back, as a cancellation gives them; false when it is no longer CONFIRMED (a
     * cancellation came first).
     */
    async voidUncapturable(session: ClientSession, bookingId: ObjectId): Promise<boolean> {
      const voided = await bookings.findOneAndUpdate(
        { _id: bookingId, status: 'CONFIRMED' },
        { $set: { status: 'VOIDED', updatedAt: clock.now() } },
        { session, returnDocument: 'after' },
      );
      if (!voided) return false;
      await claims.release(session, voided.resourceId, voided.dates, voided.holdId);
      return true;
    },

    /** Checkout completed with a delayed payment method (e.g. a bank debit): the booking waits; the hold keeps its own expiry. */
    async recordAwaitingPayment(session: ClientSession, report: CheckoutReport): Promise<CheckoutOutcome> {
      const hold = await findHold(session, report.holdId);
      if (!hold) return { kind: 'nothing_to_do', reason: 'unknown hold' };
      const existing = await bookings.findOne({ checkoutSessionId: report.sessionId }, { session });
      if (existing) return { kind: 'already_settled', booking: existing };
      return {
        kind: 'awaiting_payment',
        booking: await saveBooking(bookings, session, null, hold, report, 'PENDING_PAYMENT', clock.now()),
      };
    },

    /**
     * The session expired or its payment failed: a booking waiting for that payment is cancelled,
     * and the hold is released if it is still held for this very session (an event about another
     * session of the same hold must not free dates someone is paying for).
     */
    async releaseUnpaid(session: ClientSession, report: CheckoutReport): Promise<CheckoutOutcome> {
      const hold = await findHold(session, report.holdId);
      if (!hold) return { kind: 'nothing_to_do', reason: 'unknown hold' };
      const now = clock.now();
      await bookings.updateOne(
        { checkoutSessionId: report.sessionId, status: 'PENDING_PAYMENT' },
        { $set: { status: 'CANCELLED', updatedAt: now } },
        { session },
      );
      const released = await holds.updateOne(
        { _id: hold._id, state: 'held', 'checkout.sessionId': report.sessionId },
        { $set: { state: 'released', updatedAt: now } },
        { session },
      );
      if (released.modifiedCount === 0) return { kind: 'nothing_to_do', reason: `hold is ${hold.state} or paid through another session` };
      await claims.release(session, hold.resourceId, hold.dates, hold._id);
      return { kind: 'released' };
    },
  };
}

export type CheckoutOutcomes = ReturnType<typeof checkoutOutcomes>;
