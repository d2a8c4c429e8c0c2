import type { ClientSession, Collection, Filter, ObjectId, UpdateFilter, WithId } from 'mongodb';
import type { Clock } from '../clock';

/**
 * A Stripe call about one booking's payment that must happen after the transaction that decided it
 * (a refund, a capture, a void): recorded `pending` in that transaction (`_id` = the booking's id,
 * so a booking has at most one of each kind), sent after commit, retried until it leaves `pending`.
 * `leaseUntil` lets one sender at a time try; Stripe's idempotency key (derived from the payment
 * intent) covers a sender that crashed after Stripe answered.
 */
export interface PendingCallDoc {
  _id: ObjectId;
  paymentIntentId: string;
  state: string;
  attempts: number;
  leaseUntil: Date | null;
  lastError?: string;
  /** Set when an attempt failed: the retrier leaves the call alone until then (null: due). */
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Long enough for the SDK's own retries; a sender that died frees the call after this. */
const LEASE_MS = 60_000;
/** A call that failed waits 10 s, then twice as long after each further failure, at most 10 min. */
const RETRY_BASE_MS = 10_000;
const RETRY_MAX_MS = 10 * 60_000;

/** How long the retrier leaves a call alone after its `attempts`-th attempt failed. */
export function retryDelayMs(attempts: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** Math.max(attempts - 1, 0), RETRY_MAX_MS);
}

export async function ensurePendingCallIndexes(calls: Collection<PendingCallDoc>): Promise<void> {
  // The retrier's scan: only pending calls are indexed, so the index stays small.
  await calls.createIndex({ nextAttemptAt: 1 }, { partialFilterExpression: { state: 'pending' } });
}

export type CallAttempt = 'sent' | 'nothing_pending' | 'in_flight_elsewhere';

export interface PendingCallsOptions<D extends PendingCallDoc, R> {
  calls: Collection<D>;
  clock: Clock;
  /** The Stripe call for a leased pending document; throwing leaves it pending, retried after its backoff. */
  call(doc: WithId<D>): Promise<R>;
  /** Records what the call did; must take the document out of `pending` by a write conditional on it still being pending. */
  finish(doc: WithId<D>, result: R): Promise<void>;
}

/**
 * Sends recorded (`pending`) calls of one kind. Safe to call any number of times and concurrently:
 * a lease lets one caller try at a time, a call that left `pending` is never sent again, and the
 * idempotency key makes a repeat after a crash return what Stripe answered the first time.
 */
export function pendingCalls<D extends PendingCallDoc, R>({ calls, clock, call, finish }: PendingCallsOptions<D, R>) {
  // The steps below touch only the fields every pending call has.
  const common = calls as unknown as Collection<PendingCallDoc>;
  const pendingFilter = (_id: ObjectId) => ({ _id, state: 'pending' }) as Filter<D>;

  /** Records a pending call inside the caller's transaction; recording it twice changes nothing. */
  async function record(session: ClientSession, bookingId: ObjectId, fields: Omit<D, keyof PendingCallDoc> | Record<string, unknown>) {
    const now = clock.now();
    const fresh = { ...fields, state: 'pending', attempts: 0, leaseUntil: null, nextAttemptAt: null, createdAt: now, updatedAt: now };
    await common.updateOne({ _id: bookingId }, { $setOnInsert: fresh }, { session, upsert: true });
  }

  async function send(bookingId: ObjectId): Promise<CallAttempt> {
    const now = clock.now();
    const doc = await common.findOneAndUpdate(
      { _id: bookingId, state: 'pending', $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }] },
      { $set: { leaseUntil: new Date(now.getTime() + LEASE_MS) }, $inc: { attempts: 1 } },
      { returnDocument: 'after' },
    );
    if (!doc) {
      const current = await common.findOne({ _id: bookingId }, { projection: { state: 1 } });
      return current?.state === 'pending' ? 'in_flight_elsewhere' : 'nothing_pending';
    }
    let result: R;
    try {
      result = await call(doc as WithId<D>);
    } catch (error) {
      const nextAttemptAt = new Date(clock.now().getTime() + retryDelayMs(doc.attempts));
      const failed = { leaseUntil: null, lastError: (error as Error).message, nextAttemptAt, updatedAt: clock.now() };
      await common.updateOne({ _id: bookingId, state: 'pending' }, { $set: failed });
      throw error;
    }
    try {
      await finish(doc as WithId<D>, result);
    } catch (error) {
      // Stripe answered but recording it failed (MongoDB unreachable): free the call at once, so a
      // retry (a redelivery, the retrier) asks again under the same idempotency key and records it;
      // should this write fail too, the lease runs out instead.
      await common.updateOne({ _id: bookingId, state: 'pending' }, { $set: { leaseUntil: null, updatedAt: clock.now() } }).catch(() => {});
      throw error;
    }
    return 'sent';
  }

  return {
    record,
    send,
    pendingFilter,
    /** The write that ends a call: out of `pending`, lease and backoff cleared. */
    ended: (fields: Partial<D>) =>
      ({ $set: { ...fields, leaseUntil: null, nextAttemptAt: null, updatedAt: clock.now() } }) as UpdateFilter<D>,
  };
}
