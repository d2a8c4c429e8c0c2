import type { ClientSession, Collection, Db } from 'mongodb';
import { isDuplicateKey } from '../mongo';

/** One Stripe event that took effect; `_id` is Stripe's `event.id`, so a second delivery cannot insert again. */
export interface StripeEventDoc {
  _id: string;
  type: string;
  /** What the event did, for operators (`confirmed`, `refund_due`, `nothing_to_do: unknown hold`, ...). */
  outcome: string;
  receivedAt: Date;
}

export function stripeEventsCollection(db: Db): Collection<StripeEventDoc> {
  return db.collection<StripeEventDoc>('stripeEvents');
}

/** Thrown inside the effect's transaction when the event was recorded before; aborts it. */
export class EventAlreadyProcessed extends Error {
  constructor(readonly eventId: string) {
    super(`Stripe event ${eventId} was already processed`);
  }
}

/**
 * Insert-first dedupe: the record is written at the start of the effect's transaction, so a
 * concurrent delivery of the same event collides here (write conflict, then duplicate key) before
 * doing any work, and the record commits together with the effect or not at all.
 */
export async function recordEventOnce(
  events: Collection<StripeEventDoc>,
  session: ClientSession,
  event: { id: string; type: string },
  receivedAt: Date,
): Promise<void> {
  try {
    await events.insertOne({ _id: event.id, type: event.type, outcome: 'processing', receivedAt }, { session });
  } catch (error) {
    if (isDuplicateKey(error)) throw new EventAlreadyProcessed(event.id);
    throw error;
  }
}

export async function setEventOutcome(
  events: Collection<StripeEventDoc>,
  session: ClientSession,
  eventId: string,
  outcome: string,
): Promise<void> {
  await events.updateOne({ _id: eventId }, { $set: { outcome } }, { session });
}
