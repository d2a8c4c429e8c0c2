import type { ClientSession, Collection, Document, ObjectId } from 'mongodb';
import type { Claim, DateSlotDoc } from './collections';

/** What a successful claim learns about the slot it took (absent on slots older than these fields). */
export type ClaimedSlot = Pick<DateSlotDoc, 'pricePerDate' | 'currency'>;

/** A claim counts against capacity while it is booked, or held and not yet expired. */
function isLive(now: Date): Document {
  return { $or: [{ $eq: ['$$claim.state', 'booked'] }, { $gt: ['$$claim.expiresAt', now] }] };
}

function liveClaims(now: Date): Document {
  return { $filter: { input: '$claims', as: 'claim', cond: isLive(now) } };
}

/** The precondition of a claim: fewer live claims than capacity, counting lapsed holds as free. */
const claimFilter = (resourceId: ObjectId, date: string, now: Date): Document => ({
  resourceId,
  date,
  $expr: { $lt: [{ $size: liveClaims(now) }, '$capacity'] },
});

/** Drops lapsed claims and appends ours. */
const claimUpdate = (claim: Claim, now: Date): Document[] => [
  { $set: { claims: { $concatArrays: [liveClaims(now), [{ $literal: claim }]] }, version: { $add: ['$version', 1] } } },
];

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

/** The same rule as `isLive`, applied to a slot already read, for availability answers. */
export function liveClaimsOf(slot: Pick<DateSlotDoc, 'claims'>, now: Date): Claim[] {
  return slot.claims.filter((c) => c.state === 'booked' || (c.expiresAt !== null && c.expiresAt > now));
}

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
   * Many claims at once, set-oriented: ONE ordered `bulkWrite` of the same conditional updates as
   * `claimDate` (each filter still the precondition, so each claim is decided by its own write, in
   * order), then ONE read of the slots in the same transaction for their prices. Unless every claim
   * applied, the read also says which did: a claim applied exactly when its hold's id is among the
   * slot's claims after the writes. That reads the outcome of our own writes (the transaction holds
   * these slots until it ends; no claim of ours lapses within it), as `findOneAndUpdate` returns one:
   * it never decides a claim. One report per claim, in order.
   */
  async function claimAll(session: ClientSession, requests: ClaimRequest[], now: Date): Promise<ClaimReport[]> {
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
      if (!slot) return { applied: false, slot: null };
      const applied = everyApplied || slot.claims.some((c) => c.holdId.equals(claim.holdId));
      return { applied, slot: { pricePerDate: slot.pricePerDate, currency: slot.currency } };
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
    claimAll,
    existing: existingDates,
    release: releaseClaims,
    markBooked: markClaimBooked,
    applyCapacity,
    applyPrice,
  };
}

export type ClaimSteps = ReturnType<typeof claimSteps>;
