import type { Collection, ObjectId } from 'mongodb';
import type Stripe from 'stripe';
import type { BookingDoc } from '../bookings/bookingRecords';
import type { Clock } from '../clock';
import type { Logger } from '../logger';

/** Long enough for the SDK's own retries; a sender that died frees the refund after this. */
const LEASE_MS = 60_000;

export type RefundAttempt = 'refunded' | 'nothing_pending' | 'in_flight_elsewhere';

export interface RefundDeps {
  bookings: Collection<BookingDoc>;
  stripe: Stripe;
  clock: Clock;
  logger: Logger;
}

/** Stripe dedupes on this for 24 h; one payment intent is refunded (in full) at most once. */
export function refundIdempotencyKey(paymentIntentId: string): string {
  return `refund-${paymentIntentId}`;
}

function alreadyRefunded(error: unknown): boolean {
  return (error as { code?: string }).code === 'charge_already_refunded';
}

/**
 * Sends recorded (`pending`) refunds to Stripe, after the transaction that decided them. Safe to
 * call any number of times and concurrently: a lease lets one caller try at a time, a done refund
 * is never sent again, and the idempotency key makes a repeat after a crash return the same refund.
 */
export function refundSender({ bookings, stripe, clock, logger }: RefundDeps) {
  async function send(bookingId: ObjectId): Promise<RefundAttempt> {
    const now = clock.now();
    const booking = await bookings.findOneAndUpdate(
      { _id: bookingId, 'refund.state': 'pending', $or: [{ 'refund.leaseUntil': null }, { 'refund.leaseUntil': { $lte: now } }] },
      { $set: { 'refund.leaseUntil': new Date(now.getTime() + LEASE_MS) }, $inc: { 'refund.attempts': 1 } },
      { returnDocument: 'after' },
    );
    if (!booking) {
      const current = await bookings.findOne({ _id: bookingId }, { projection: { refund: 1 } });
      return current?.refund?.state === 'pending' ? 'in_flight_elsewhere' : 'nothing_pending';
    }
    let refundId: string | null;
    try {
      const refund = await stripe.refunds.create(
        { payment_intent: booking.paymentIntentId!, metadata: { bookingId: bookingId.toHexString() } },
        { idempotencyKey: refundIdempotencyKey(booking.paymentIntentId!) },
      );
      refundId = refund.id;
    } catch (error) {
      if (!alreadyRefunded(error)) {
        await bookings.updateOne(
          { _id: bookingId, 'refund.state': 'pending' },
          { $set: { 'refund.leaseUntil': null, 'refund.lastError': (error as Error).message } },
        );
        throw error;
      }
      refundId = null;
    }
    await bookings.updateOne(
      { _id: bookingId, 'refund.state': 'pending' },
      { $set: { 'refund.state': 'done', 'refund.id': refundId, 'refund.leaseUntil': null, updatedAt: clock.now() } },
    );
    logger.info({ bookingId: bookingId.toHexString(), refundId, paymentIntentId: booking.paymentIntentId }, 'refund sent to Stripe');
    return 'refunded';
  }

  return {
    send,

    /** Best effort for callers whose own effect is already committed: failures are logged and retried later. */
    async sendQuietly(bookingId: ObjectId): Promise<void> {
      try {
        await send(bookingId);
      } catch (error) {
        logger.error({ err: error, bookingId: bookingId.toHexString() }, 'refund could not be sent yet; it stays pending');
      }
    },

    /** One pass over refunds still pending (e.g. at start-up, after Stripe was unreachable). */
    async sendPending(): Promise<number> {
      const pending = await bookings
        .find({ 'refund.state': 'pending' }, { projection: { _id: 1 } })
        .limit(1000)
        .toArray();
      let sent = 0;
      for (const { _id } of pending) {
        try {
          if ((await send(_id)) === 'refunded') sent += 1;
        } catch (error) {
          logger.error({ err: error, bookingId: _id.toHexString() }, 'pending refund failed again');
        }
      }
      return sent;
    },
  };
}

export type RefundSender = ReturnType<typeof refundSender>;
