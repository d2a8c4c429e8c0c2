import type { Collection, Db, ObjectId, WithId } from 'mongodb';

/** One unit of a date's capacity, taken by a hold (until `expiresAt`) or by a paid booking. */
export interface Claim {
  holdId: ObjectId;
  userId: string;
  state: 'held' | 'booked';
  expiresAt: Date | null;
}

/** One resource on one date. Claims live here so that one conditional update can check and take capacity. */
export interface DateSlotDoc {
  resourceId: ObjectId;
  date: string;
  capacity: number;
  claims: Claim[];
  /** Bumped on every change, so subscribers can drop stale updates. */
  version: number;
}

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
}

export type HoldDocument = WithId<HoldDoc>;

export interface BookingCollections {
  slots: Collection<DateSlotDoc>;
  holds: Collection<HoldDoc>;
}

export function bookingCollections(db: Db): BookingCollections {
  return { slots: db.collection<DateSlotDoc>('dateSlots'), holds: db.collection<HoldDoc>('holds') };
}

export async function ensureBookingIndexes({ slots, holds }: BookingCollections): Promise<void> {
  await slots.createIndex({ resourceId: 1, date: 1 }, { unique: true });
  await holds.createIndex({ userId: 1, _id: -1 });
  await holds.createIndex({ state: 1, expiresAt: 1 });
}
