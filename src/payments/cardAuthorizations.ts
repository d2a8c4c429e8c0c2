import type { ClientSession, Collection, Db, MongoClient, ObjectId } from 'mongodb';
import type { CheckoutOutcomes } from '../bookings';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { withTransaction } from '../mongo';
import { ensurePendingCallIndexes, type PendingCallDoc, pendingCalls } from './pendingCalls';
import type { AuthorizationCallResult, PaymentGateway } from './stripeGateway';

/**
 * What to do with a card payment Stripe only authorized (a hold's Checkout, manual capture): capture
 * it once its hold is confirmed, void it when the hold was lost. A pending call (`_id` = the
 * booking's id): recorded in the transaction that decided it, sent after commit, retried until done.
 * `refused` means Stripe said it can never be done (an authorization that lapsed or was cancelled
 * cannot be captured; a captured payment cannot be voided), with Stripe's reason in `lastError`.
 */
export interface CardAuthorizationDoc extends PendingCallDoc {
  action: 'capture' | 'void';
  state: 'pending' | 'done' | 'refused';
}

export function cardAuthorizationsCollection(db: Db): Collection<CardAuthorizationDoc> {
  return db.collection<CardAuthorizationDoc>('cardAuthorizations');
}

export const ensureCardAuthorizationIndexes = (calls: Collection<CardAuthorizationDoc>) => ensurePendingCallIndexes(calls as never);

/** Stripe dedupes on these for 24 h: one payment intent is captured, or voided, at most once. */
export const captureIdempotencyKey = (paymentIntentId: string) => `capture-${paymentIntentId}`;
export const voidIdempotencyKey = (paymentIntentId: string) => `void-${paymentIntentId}`;

/** Whether a booking's payment was taken: what a refund of it must wait for, or need not do. */
export type Charge = 'captured' | 'capture_pending' | 'never_charged';

export interface CardAuthorizationDeps {
  client: MongoClient;
  calls: Collection<CardAuthorizationDoc>;
  outcomes: Pick<CheckoutOutcomes, 'voidUncapturable'>;
  gateway: PaymentGateway;
  clock: Clock;
  logger: Logger;
}

function chargeOf(call: Pick<CardAuthorizationDoc, 'action' | 'state'> | null): Charge {
  // No call: the payment was captured by Stripe itself (automatic capture).
  if (!call) return 'captured';
  if (call.action === 'capture') return call.state === 'done' ? 'captured' : call.state === 'pending' ? 'capture_pending' : 'never_charged';
  // A void Stripe refused found the payment captured; one pending or done leaves nothing charged once it is done.
  return call.state === 'refused' ? 'captured' : call.state === 'done' ? 'never_charged' : 'capture_pending';
}

export function cardAuthorizations({ client, calls, outcomes, gateway, clock, logger }: CardAuthorizationDeps) {
  /** A capture Stripe refuses can never be done: the booking gives its dates back and is VOIDED with it. */
  async function refuse(call: CardAuthorizationDoc, reason: string): Promise<void> {
    const bookingId = call._id.toHexString();
    const voided = await withTransaction(client, async (session) => {
      const refused = await calls.updateOne(queue.pendingFilter(call._id), queue.ended({ state: 'refused', lastError: reason }), {
        session,
      });
      if (refused.modifiedCount === 0 || call.action !== 'capture') return false;
      return outcomes.voidUncapturable(session, call._id);
    });
    logger.error(
      { bookingId, paymentIntentId: call.paymentIntentId, action: call.action, reason, bookingVoided: voided },
      call.action === 'capture'
        ? 'Stripe refused to capture a card authorization: the booking was released and VOIDED'
        : 'Stripe refused to void a card authorization (it was captured): refund it by hand',
    );
  }

  const queue = pendingCalls<CardAuthorizationDoc, AuthorizationCallResult>({
    calls,
    clock,
    call(call) {
      const metadata = { bookingId: call._id.toHexString() };
      return call.action === 'capture'
        ? gateway.capture(call.paymentIntentId, captureIdempotencyKey(call.paymentIntentId), metadata)
        : gateway.voidAuthorization(call.paymentIntentId, voidIdempotencyKey(call.paymentIntentId));
    },
    async finish(call, result) {
      if (result.outcome === 'refused') return refuse(call, result.reason);
      await calls.updateOne(queue.pendingFilter(call._id), queue.ended({ state: 'done' }));
      logger.info(
        { bookingId: call._id.toHexString(), paymentIntentId: call.paymentIntentId, action: call.action },
        'card authorization captured or voided at Stripe',
      );
    },
  });

  async function sendQuietly(bookingId: ObjectId): Promise<void> {
    try {
      await queue.send(bookingId);
    } catch (error) {
      logger.error({ err: error, bookingId: bookingId.toHexString() }, 'card capture or void could not be sent yet; it stays pending');
    }
  }

  return {
    /** Inside the transaction that confirmed (capture) or lost (void) the booking's hold. */
    record: (session: ClientSession, bookingId: ObjectId, paymentIntentId: string, action: CardAuthorizationDoc['action']) =>
      queue.record(session, bookingId, { paymentIntentId, action }),
    send: queue.send,
    sendQuietly,
    /** For refunds (`CardCharges`). */
    charges: {
      chargeOf: async (bookingId: ObjectId) => chargeOf(await calls.findOne({ _id: bookingId }, { projection: { action: 1, state: 1 } })),
      sendQuietly,
      /** A cancellation before the capture started: the capture becomes a void (in the cancellation's transaction). */
      async voidInsteadOfCapture(session: ClientSession, bookingId: ObjectId): Promise<boolean> {
        const now = clock.now();
        const turned = await calls.updateOne(
          { _id: bookingId, action: 'capture', state: 'pending', $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }] },
          { $set: { action: 'void', attempts: 0, nextAttemptAt: null, updatedAt: now }, $unset: { lastError: '' } },
          { session },
        );
        return turned.modifiedCount === 1;
      },
    },
  };
}

export type CardAuthorizations = ReturnType<typeof cardAuthorizations>;
export type CardCharges = CardAuthorizations['charges'];
