import type { Document, ObjectId } from 'mongodb';
import type { Claim, DateSlotDoc } from './collections';

/** What a successful claim learns about the slot it took (absent on slots older than these fields). */
export type ClaimedSlot = Pick<DateSlotDoc, 'pricePerDate' | 'currency'>;

/**
 * The one rule of a claim's liveness: it counts against capacity while it is booked, or held and not
 * yet expired (G2: expiry is this query, not a timer). Every claim filter, capacity check and
 * availability answer derives from it.
 */
function isLive(now: Date): Document {
  return { $or: [{ $eq: ['$$claim.state', 'booked'] }, { $gt: ['$$claim.expiresAt', now] }] };
}

export function liveClaims(now: Date): Document {
  return { $filter: { input: '$claims', as: 'claim', cond: isLive(now) } };
}

/** The precondition of a claim: fewer live claims than capacity, counting lapsed holds as free. */
export const claimFilter = (resourceId: ObjectId, date: string, now: Date): Document => ({
  resourceId,
  date,
  $expr: { $lt: [{ $size: liveClaims(now) }, '$capacity'] },
});

/** Drops lapsed claims and appends ours. */
export const claimUpdate = (claim: Claim, now: Date): Document[] => [
  { $set: { claims: { $concatArrays: [liveClaims(now), [{ $literal: claim }]] }, version: { $add: ['$version', 1] } } },
];

/** The same rule as `isLive`, applied to a slot already read, for availability answers. */
export function liveClaimsOf(slot: Pick<DateSlotDoc, 'claims'>, now: Date): Claim[] {
  return slot.claims.filter((c) => c.state === 'booked' || (c.expiresAt !== null && c.expiresAt > now));
}
