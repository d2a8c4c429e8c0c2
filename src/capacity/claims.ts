import type { ClientSession, Collection, ObjectId } from 'mongodb';
import { type ClaimedSlot, claimFilter, claimUpdate, liveClaims } from './claimRule';
import { claimAll, type ClaimRequest } from './claimSet';
import type { Claim, DateSlotDoc } from './collections';

/**
 * The claim steps, bound to the capacity module's `dateSlots`. Other modules run them inside their
 * own transactions (a hold, a payment, a cancellation) and never write slots themselves.
 */
export function claimSteps(slots: Collection<DateSlotDoc>) {
  /**
   * Takes one unit of a date's capacity in ONE `findOneAndUpdate`: the filter is the precondition
   * (fewer live claims than capacity, counting expired holds as free), and the update drops expired
   * claims and appends ours. No read happens before the write, so two claimants can never both see
   * the last unit free. Returns the slot's price and currency (see DateSlotDoc), or null when the
   * date has no capacity left (or no slot: see `existing`).
   */
  async function claimDate(
    session: ClientSession,
    resourceId: ObjectId,
    date: string,
    claim: Claim,
    now: Date,
  ): Promise<ClaimedSlot | null> {
    return slots.findOneAndUpdate(claimFilter(resourceId, date, now), claimUpdate(claim, now), {
      session,
      projection: { _id: 0, pricePerDate: 1, currency: 1 },
    });
  }

  /**
   * Which of these dates have a slot, as the caller's transaction sees them. A claim that failed on
   * a date with a slot failed for want of capacity; on a date without one, because it was never created.
   */
  async function existingDates(session: ClientSession, resourceId: ObjectId, dates: string[]): Promise<Set<string>> {
    const found = await slots.find({ resourceId, date: { $in: dates } }, { session, projection: { _id: 0, date: 1 } }).toArray();
    return new Set(found.map((slot) => slot.date));
  }

  /** Gives back a hold's claims on its dates (those that are still its own). */
  async function releaseClaims(session: ClientSession, resourceId: ObjectId, dates: string[], holdId: ObjectId): Promise<void> {
    await slots.updateMany(
      { resourceId, date: { $in: dates }, 'claims.holdId': holdId },
      { $pull: { claims: { holdId } }, $inc: { version: 1 } },
      { session },
    );
  }

  /**
   * Sets a new capacity on every slot of a resource, inside the caller's transaction, unless some
   * date already has more live claims than that; returns those dates (and changes nothing) if so.
   * Every slot is written, so a claim racing on any of them conflicts with this transaction and one
   * of the two re-runs against the other's result: no hold can slip in under the new capacity.
   */
  async function applyCapacity(session: ClientSession, resourceId: ObjectId, capacity: number, now: Date): Promise<string[]> {
    const over = await slots
      .find({ resourceId, $expr: { $gt: [{ $size: liveClaims(now) }, capacity] } }, { session, projection: { date: 1 } })
      .sort({ date: 1 })
      .toArray();
    if (over.length > 0) return over.map((slot) => slot.date);
    // Lapsed claims are dropped too: left in place, a late payment could re-book one past the new capacity.
    await slots.updateMany(
      { resourceId },
      [{ $set: { capacity: { $literal: capacity }, claims: liveClaims(now), version: { $add: ['$version', 1] } } }],
      { session },
    );
    return [];
  }

  /**
   * Turns a hold's own claim on a date into a booked one, whether or not the hold has lapsed. A
   * lapsed claim is still in the array only if nobody has claimed the date since (every claim drops
   * lapsed ones), so making it count again cannot exceed capacity. False when the claim is gone.
   */
  async function markClaimBooked(session: ClientSession, resourceId: ObjectId, date: string, holdId: ObjectId): Promise<boolean> {
    const { matchedCount } = await slots.updateOne(
      { resourceId, date, 'claims.holdId': holdId },
      { $set: { 'claims.$.state': 'booked', 'claims.$.expiresAt': null }, $inc: { version: 1 } },
      { session },
    );
    return matchedCount === 1;
  }

  /**
   * Sets a resource's new price on every slot, inside the transaction that changes the resource, so
   * a hold's claim (which reads its price from the slot) conflicts with the change and sees one
   * price or the other. Availability is unchanged, so `version` is not bumped.
   */
  async function applyPrice(session: ClientSession, resourceId: ObjectId, pricePerDate: number): Promise<void> {
    await slots.updateMany({ resourceId }, { $set: { pricePerDate } }, { session });
  }

  return {
    claim: claimDate,
    /** Many claims in one `bulkWrite` (claimSet.ts). */
    claimAll: (session: ClientSession, requests: ClaimRequest[], now: Date) => claimAll(slots, session, requests, now),
    existing: existingDates,
    release: releaseClaims,
    markBooked: markClaimBooked,
    applyCapacity,
    applyPrice,
  };
}

export type ClaimSteps = ReturnType<typeof claimSteps>;
