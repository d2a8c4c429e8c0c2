import type { Collection, Db, ObjectId, WithId } from 'mongodb';

export type BookingStatus = 'PENDING_PAYMENT' | 'CONFIRMED' | 'CANCELLED' | 'REFUNDED';

/**
 * A refund is recorded (`pending`) in the transaction that decides it and sent to Stripe after
 * commit. `leaseUntil` lets one sender at a time try; Stripe's idempotency key (derived from the
 * payment intent) covers a sender that crashed after Stripe answered.
 */
export interface RefundRecord {
  state: 'pending' | 'done';
  /** Stripe's refund id once it succeeded. */
  id: string | null;
  attempts: number;
  leaseUntil: Date | null;
  lastError?: string;
  /** Set when an attempt failed: the retrier leaves the refund alone until then (absent or null: due). */
  nextAttemptAt?: Date | null;
}

/** One completed Stripe Checkout for a hold: a booking exists once the customer has paid or started paying. */
export interface BookingDoc {
  holdId: ObjectId;
  checkoutSessionId: string;
  paymentIntentId: string | null;
  userId: string;
  resourceId: ObjectId;
  dates: string[];
  amount: number;
  currency: string;
  status: BookingStatus;
  refund: RefundRecord | null;
  createdAt: Date;
  updatedAt: Date;
}

export type BookingDocument = WithId<BookingDoc>;

export function bookingsCollection(db: Db): Collection<BookingDoc> {
  return db.collection<BookingDoc>('bookings');
}

export function pendingRefund(): RefundRecord {
  return { state: 'pending', id: null, attempts: 0, leaseUntil: null };
}

export async function ensureBookingRecordIndexes(bookings: Collection<BookingDoc>): Promise<void> {
  // One booking per Checkout Session, however many events report it.
  await bookings.createIndex({ checkoutSessionId: 1 }, { unique: true });
  // A hold is confirmed by at most one payment; the hold's state machine decides, this index backs it.
  await bookings.createIndex({ holdId: 1 }, { unique: true, partialFilterExpression: { status: 'CONFIRMED' } });
  await bookings.createIndex({ userId: 1, _id: -1 });
  // The refund retrier's scan: only pending refunds are indexed, so the index stays small.
  await bookings.createIndex({ 'refund.nextAttemptAt': 1 }, { partialFilterExpression: { 'refund.state': 'pending' } });
}
