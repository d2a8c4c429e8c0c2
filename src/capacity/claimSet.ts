import type { ClientSession, Collection, ObjectId } from 'mongodb';
import { assert } from '../assert';
import { claimFilter, claimUpdate, type ClaimedSlot } from './claimRule';
import type { Claim, DateSlotDoc } from './collections';

/** One claim of a set, for `claimAll`. */
export interface ClaimRequest {
  resourceId: ObjectId;
  date: string;
  claim: Claim;
}

/** What became of one claim of a set: whether its conditional write applied, and its slot's price (null: no slot). */
export interface ClaimReport {
  applied: boolean;
  slot: ClaimedSlot | null;
}

const slotKey = (resourceId: ObjectId, date: string) => `${resourceId.toHexString()}:${date}`;

/**
 * Many claims at once, set-oriented: ONE ordered `bulkWrite` of the same conditional updates as
 * `claimDate` (each filter still the precondition, so each claim is decided by its own write, in
 * order), then ONE read of the slots in the same transaction for their prices. Unless every claim
 * applied, the read also says which did: a claim applied exactly when its hold's id is among the
 * slot's claims after the writes. That reads the outcome of our own writes (the transaction holds
 * these slots until it ends; no claim of ours lapses within it), as `findOneAndUpdate` returns one:
 * it never decides a claim. One report per claim, in order.
 */
export async function claimAll(
  slots: Collection<DateSlotDoc>,
  session: ClientSession,
  requests: ClaimRequest[],
  now: Date,
): Promise<ClaimReport[]> {
  const written = await slots.bulkWrite(
    requests.map(({ resourceId, date, claim }) => ({
      updateOne: { filter: claimFilter(resourceId, date, now), update: claimUpdate(claim, now) },
    })),
    { session, ordered: true },
  );
  const everyApplied = written.modifiedCount === requests.length;
  const datesOf = new Map<string, { resourceId: ObjectId; dates: string[] }>();
  for (const { resourceId, date } of requests) {
    const entry = datesOf.get(resourceId.toHexString()) ?? { resourceId, dates: [] };
    entry.dates.push(date);
    datesOf.set(resourceId.toHexString(), entry);
  }
  const found = await slots
    .find(
      { $or: [...datesOf.values()].map(({ resourceId, dates }) => ({ resourceId, date: { $in: dates } })) },
      {
        session,
        projection: { _id: 0, resourceId: 1, date: 1, pricePerDate: 1, currency: 1, ...(everyApplied ? {} : { 'claims.holdId': 1 }) },
      },
    )
    .toArray();
  const bySlot = new Map(found.map((slot) => [slotKey(slot.resourceId, slot.date), slot]));
  return requests.map(({ resourceId, date, claim }) => {
    const slot = bySlot.get(slotKey(resourceId, date));
    // A claim's write can apply only to a slot that exists, so with every write applied every slot is found.
    assert(slot || !everyApplied, `every claim applied, yet the slot of ${date} was not found`);
    if (!slot) return { applied: false, slot: null };
    const applied = everyApplied || slot.claims.some((c) => c.holdId.equals(claim.holdId));
    return { applied, slot: { pricePerDate: slot.pricePerDate, currency: slot.currency } };
  });
}
