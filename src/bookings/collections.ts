import { type Collection, type Db, MongoServerError, type ObjectId, type WithId } from 'mongodb';

const CHECKOUT_SESSION_INDEX = 'oneBookingPerCheckoutSession';

/** `expired` is written by the sweeper; a `held` hold past `expiresAt` is just as expired. */
export type HoldState = 'held' | 'released' | 'expired' | 'confirmed';

/** The Stripe Checkout Session opened for a hold; the hold ↔ session mapping lives here, not at Stripe. */
export interface HoldCheckout {
  sessionId: string;
  url: string;
  /** When Stripe expires the session (never earlier than 30 minutes after it was created). */
  expiresAt: Date;
}

export interface HoldDoc {
  resourceId: ObjectId;
  userId: string;
  dates: string[];
  amount: number;
  currency: string;
  state: HoldState;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
  /** The sweeper's fencing token, written with the expiry it made. */
  sweptWithFence?: number;
  checkout?: HoldCheckout;
  /** The booking that confirmed this hold. */
  bookingId?: ObjectId;
  /**
   * The money held with the dates (`holdDates` with `reserveFrom`): an authorization of `amount`
   * from this account to the house account, expiring at `expiresAt` too.
   */
  reservation?: { accountId: ObjectId; houseAccountId: ObjectId; authorizationId: ObjectId };
}

export type HoldDocument = WithId<HoldDoc>;

export type BookingStatus = 'PENDING_PAYMENT' | 'CONFIRMED' | 'CANCELLED' | 'REFUNDED' | 'VOIDED';

export type PaymentMethod = 'CARD' | 'BALANCE';

/**
 * A hold paid by card (one completed Stripe Checkout: a booking exists once the customer has paid or
 * started paying) or from a balance (`payHold`: the booking and its transfer commit together).
 */
export interface BookingDoc {
  holdId: ObjectId;
  /** Missing on bookings written before balances could pay: those are all CARD. */
  paymentMethod?: PaymentMethod;
  /** CARD: the Checkout Session; BALANCE: null. */
  checkoutSessionId: string | null;
  paymentIntentId: string | null;
  /** BALANCE: the account that paid, and the transfer that moved the money to the house account. */
  accountId?: ObjectId;
  transferId?: ObjectId;
  /** BALANCE, once cancelled: the transfer that returned the money (in the cancellation's transaction). */
  refundTransferId?: ObjectId;
  userId: string;
  resourceId: ObjectId;
  dates: string[];
  amount: number;
  currency: string;
  status: BookingStatus;
  createdAt: Date;
  updatedAt: Date;
}

export type BookingDocument = WithId<BookingDoc>;

/** The bookings module's collections (holds and the bookings they become): nothing else writes them. */
export interface BookingCollections {
  holds: Collection<HoldDoc>;
  bookings: Collection<BookingDoc>;
}

export function bookingCollections(db: Db): BookingCollections {
  return { holds: db.collection<HoldDoc>('holds'), bookings: db.collection<BookingDoc>('bookings') };
}

export async function ensureBookingIndexes({ holds, bookings }: BookingCollections): Promise<void> {
  await holds.createIndex({ userId: 1, _id: -1 });
  await holds.createIndex({ state: 1, expiresAt: 1 });
  // One booking per Checkout Session, however many events report it (balance-paid bookings have none).
  await bookings.createIndex(
    { checkoutSessionId: 1 },
    { unique: true, name: CHECKOUT_SESSION_INDEX, partialFilterExpression: { checkoutSessionId: { $type: 'string' } } },
  );
  // The index before balances could pay covered every booking; a null session id would collide in it.
  await bookings.dropIndex('checkoutSessionId_1').catch((error: unknown) => {
    if (!(error instanceof MongoServerError && error.codeName === 'IndexNotFound')) throw error;
  });
  // A hold is confirmed by at most one payment; the hold's state machine decides, this index backs it.
  await bookings.createIndex({ holdId: 1 }, { unique: true, partialFilterExpression: { status: 'CONFIRMED' } });
  await bookings.createIndex({ userId: 1, _id: -1 });
}
