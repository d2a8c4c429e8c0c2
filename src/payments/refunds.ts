import type { Collection, ObjectId } from 'mongodb';
import type Stripe from 'stripe';
import type { BookingDoc } from '../bookings/bookingRecords';
import type { Clock } from '../clock';
import type { Logger } from '../logger';

/** Long enough for the SDK's own retries; a sender that died frees the refund after this. */
const LEASE_MS = 60_000;
/** A refund that failed waits 10 s, then twice as long after each further failure, at most 10 min. */
const RETRY_BASE_MS = 10_000;
const RETRY_MAX_MS = 10 * 60_000;

/** How long the retrier leaves a refund alone after its `attempts`-th attempt failed. */
export function retryDelayMs(attempts: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** Math.max(attempts - 1, 0), RETRY_MAX_MS);
}

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
        const nextAttemptAt = new Date(clock.now().getTime() + retryDelayMs(booking.refund!.attempts));
        await bookings.updateOne(
          { _id: bookingId, 'refund.state': 'pending' },
          { $set: { 'refund.leaseUntil': null, 'refund.lastError': (error as Error).message, 'refund.nextAttemptAt': nextAttemptAt } },
        );
        throw error;
      }
      refundId = null;
    }
    await bookings.updateOne(
      { _id: bookingId, 'refund.state': 'pending' },
      {
        $set: {
          'refund.state': 'done',
          'refund.id': refundId,
          'refund.leaseUntil': null,
          'refund.nextAttemptAt': null,
          updatedAt: clock.now(),
        },
      },
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
  };
}

export type RefundSender = ReturnType<typeof refundSender>;
