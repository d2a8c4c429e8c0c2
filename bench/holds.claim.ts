import type { Document, ObjectId, TransactionOptions } from 'mongodb';

/**
 * The writes of a hold as `holdDates` makes them, for the baselines of `npm run bench:holds` (the
 * raw-driver load in holds.load.ts and the hand-written endpoint, which imports nothing heavier).
 */

/** The server's claim: fewer live claims (booked, or held and unexpired) than capacity; expired ones dropped. */
export function claimUpdate(resourceId: ObjectId, date: string, holdId: ObjectId, now: Date, userId = 'raw') {
  const live: Document = {
    $filter: {
      input: '$claims',
      as: 'claim',
      cond: { $or: [{ $eq: ['$$claim.state', 'booked'] }, { $gt: ['$$claim.expiresAt', now] }] },
    },
  };
  const claim = { holdId, userId, state: 'held', expiresAt: new Date(now.getTime() + 1_800_000) };
  return {
    filter: { resourceId, date, $expr: { $lt: [{ $size: live }, '$capacity'] } },
    update: [{ $set: { claims: { $concatArrays: [live, [{ $literal: claim }]] }, version: { $add: ['$version', 1] } } }],
    /** The hold document a successful claim is written with. */
    hold: {
      _id: holdId,
      resourceId,
      userId,
      dates: [date],
      amount: 100,
      currency: 'EUR',
      state: 'held',
      expiresAt: claim.expiresAt,
      createdAt: now,
      updatedAt: now,
    },
  };
}

/** How `holdDates` runs its transaction: snapshot reads, majority commit (the driver retries what is transient). */
export const HOLD_TRANSACTION: TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};
