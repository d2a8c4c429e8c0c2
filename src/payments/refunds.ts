import type { ClientSession, Collection, Db, ObjectId } from 'mongodb';
import type { RefundPort } from '../bookings';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { CardCharges } from './cardAuthorizations';
import { type CallAttempt, ensurePendingCallIndexes, type PendingCallDoc, pendingCalls } from './pendingCalls';
import type { PaymentGateway } from './stripeGateway';

/** A full refund of one booking's payment, owned by payments (a pending call, `_id` = the booking's id). */
export interface RefundDoc extends PendingCallDoc {
  state: 'pending' | 'done';
  /** Stripe's refund id once it succeeded (null when Stripe said it was refunded already, or nothing was charged). */
  id: string | null;
}

export function refundsCollection(db: Db): Collection<RefundDoc> {
  return db.collection<RefundDoc>('refunds');
}

export const ensureRefundIndexes = (refunds: Collection<RefundDoc>) => ensurePendingCallIndexes(refunds as never);

export interface RefundDeps {
  refunds: Collection<RefundDoc>;
  /** Whether the payment was captured: a refund waits for its capture, and is moot when none can happen. */
  charges: CardCharges;
  gateway: PaymentGateway;
  clock: Clock;
  logger: Logger;
}

/** Stripe dedupes on this for 24 h; one payment intent is refunded (in full) at most once. */
export function refundIdempotencyKey(paymentIntentId: string): string {
  return `refund-${paymentIntentId}`;
}

/**
 * Sends recorded (`pending`) refunds to Stripe, after the transaction that decided them. A card
 * payment still only authorized is not refunded: a cancellation voids it instead when its capture
 * has not started, and otherwise the refund waits until the capture is done.
 */
export function refundSender({ refunds, charges, gateway, clock, logger }: RefundDeps) {
  const queue = pendingCalls<RefundDoc, string | null>({
    calls: refunds,
    clock,
    async call(refund) {
      const charged = await charges.chargeOf(refund._id);
      // Thrown, so the refund stays pending and is retried after its backoff, by when the capture is done.
      if (charged === 'capture_pending') throw new Error('the payment is not captured yet; the refund waits for its capture');
      if (charged === 'never_charged') return null;
      return gateway.refund(refund.paymentIntentId, refundIdempotencyKey(refund.paymentIntentId), { bookingId: refund._id.toHexString() });
    },
    async finish(refund, refundId) {
      await refunds.updateOne(queue.pendingFilter(refund._id), queue.ended({ state: 'done', id: refundId }));
      logger.info({ bookingId: refund._id.toHexString(), refundId, paymentIntentId: refund.paymentIntentId }, 'refund sent to Stripe');
    },
  });

  /** Records a pending refund inside the caller's transaction; recording it twice changes nothing. */
  const record = (session: ClientSession, bookingId: ObjectId, paymentIntentId: string) =>
    queue.record(session, bookingId, { paymentIntentId, id: null });

  async function sendQuietly(bookingId: ObjectId): Promise<void> {
    try {
      await queue.send(bookingId);
    } catch (error) {
      logger.error({ err: error, bookingId: bookingId.toHexString() }, 'refund could not be sent yet; it stays pending');
    }
  }

  /** What the bookings module's cancellation needs, without knowing payments. */
  const port: RefundPort = {
    async record(session, bookingId, paymentIntentId) {
      // An authorization whose capture has not started is voided instead: nothing is charged, nothing refunded.
      if (await charges.voidInsteadOfCapture(session, bookingId)) return;
      await record(session, bookingId, paymentIntentId);
    },
    async sendIfPending(bookingId) {
      await charges.sendQuietly(bookingId);
      await sendQuietly(bookingId);
    },
  };

  return {
    record,
    send: (bookingId: ObjectId): Promise<CallAttempt> => queue.send(bookingId),
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
