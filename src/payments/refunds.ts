import type { ClientSession, Collection, Db, ObjectId } from 'mongodb';
import type { RefundPort } from '../bookings';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { PaymentGateway } from './stripeGateway';

/**
 * A full refund of one booking's payment, owned by payments (`_id` = the booking's id, so a booking
 * has at most one). It is recorded (`pending`) in the transaction that decides it and sent to Stripe
 * after commit. `leaseUntil` lets one sender at a time try; Stripe's idempotency key (derived from
 * the payment intent) covers a sender that crashed after Stripe answered.
 */
export interface RefundDoc {
  _id: ObjectId;
  paymentIntentId: string;
  state: 'pending' | 'done';
  /** Stripe's refund id once it succeeded (null when Stripe said it was refunded already). */
  id: string | null;
  attempts: number;
  leaseUntil: Date | null;
  lastError?: string;
  /** Set when an attempt failed: the retrier leaves the refund alone until then (null: due). */
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export function refundsCollection(db: Db): Collection<RefundDoc> {
  return db.collection<RefundDoc>('refunds');
}

export async function ensureRefundIndexes(refunds: Collection<RefundDoc>): Promise<void> {
  // The retrier's scan: only pending refunds are indexed, so the index stays small.
  await refunds.createIndex({ nextAttemptAt: 1 }, { partialFilterExpression: { state: 'pending' } });
}

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
  refunds: Collection<RefundDoc>;
  gateway: PaymentGateway;
  clock: Clock;
  logger: Logger;
}

/** Stripe dedupes on this for 24 h; one payment intent is refunded (in full) at most once. */
export function refundIdempotencyKey(paymentIntentId: string): string {
  return `refund-${paymentIntentId}`;
}

/**
 * Sends recorded (`pending`) refunds to Stripe, after the transaction that decided them. Safe to
 * call any number of times and concurrently: a lease lets one caller try at a time, a done refund
 * is never sent again, and the idempotency key makes a repeat after a crash return the same refund.
 */
export function refundSender({ refunds, gateway, clock, logger }: RefundDeps) {
  /** Records a pending refund inside the caller's transaction; recording it twice changes nothing. */
  async function record(session: ClientSession, bookingId: ObjectId, paymentIntentId: string): Promise<void> {
    const now = clock.now();
    await refunds.updateOne(
      { _id: bookingId },
      {
        $setOnInsert: {
          paymentIntentId,
          state: 'pending',
          id: null,
          attempts: 0,
          leaseUntil: null,
          nextAttemptAt: null,
          createdAt: now,
          updatedAt: now,
        },
      },
      { session, upsert: true },
    );
  }

  async function send(bookingId: ObjectId): Promise<RefundAttempt> {
    const now = clock.now();
    const refund = await refunds.findOneAndUpdate(
      { _id: bookingId, state: 'pending', $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }] },
      { $set: { leaseUntil: new Date(now.getTime() + LEASE_MS) }, $inc: { attempts: 1 } },
      { returnDocument: 'after' },
    );
    if (!refund) {
      const current = await refunds.findOne({ _id: bookingId }, { projection: { state: 1 } });
      return current?.state === 'pending' ? 'in_flight_elsewhere' : 'nothing_pending';
    }
    let refundId: string | null;
    try {
      refundId = await gateway.refund(refund.paymentIntentId, refundIdempotencyKey(refund.paymentIntentId), {
        bookingId: bookingId.toHexString(),
      });
    } catch (error) {
      const nextAttemptAt = new Date(clock.now().getTime() + retryDelayMs(refund.attempts));
      await refunds.updateOne(
        { _id: bookingId, state: 'pending' },
        { $set: { leaseUntil: null, lastError: (error as Error).message, nextAttemptAt, updatedAt: clock.now() } },
      );
      throw error;
    }
    await refunds.updateOne(
      { _id: bookingId, state: 'pending' },
      { $set: { state: 'done', id: refundId, leaseUntil: null, nextAttemptAt: null, updatedAt: clock.now() } },
    );
    logger.info({ bookingId: bookingId.toHexString(), refundId, paymentIntentId: refund.paymentIntentId }, 'refund sent to Stripe');
    return 'refunded';
  }

  async function sendQuietly(bookingId: ObjectId): Promise<void> {
    try {
      await send(bookingId);
    } catch (error) {
      logger.error({ err: error, bookingId: bookingId.toHexString() }, 'refund could not be sent yet; it stays pending');
    }
  }

  /** What the bookings module's cancellation needs, without knowing payments. */
  const port: RefundPort = {
    record,
    sendIfPending: sendQuietly,
  };

  return {
    record,
    send,
    /** Best effort for callers whose own effect is already committed: failures are logged and retried later. */
    sendQuietly,
    port,
    /** PENDING / SUCCEEDED for a booking whose payment is being or was refunded; null when none. */
    async statusOf(bookingId: ObjectId): Promise<'PENDING' | 'SUCCEEDED' | null> {
      const refund = await refunds.findOne({ _id: bookingId }, { projection: { state: 1 } });
      return refund ? (refund.state === 'done' ? 'SUCCEEDED' : 'PENDING') : null;
    },
  };
}

export type RefundSender = ReturnType<typeof refundSender>;
