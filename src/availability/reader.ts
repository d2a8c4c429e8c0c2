import type { ClientSession, Collection, MongoClient } from 'mongodb';
import { readAtSnapshot } from '../mongo';
import type { Clock } from '../clock';
import { badInput } from '../errors';
import { daysInclusive, eachDate } from '../calendar';
import { type DateSlotDoc, liveClaimsOf, type ResourceDocument, type ResourceService } from '../capacity';

export const MAX_RANGE_DAYS = 366;

export type DateStatus = 'AVAILABLE' | 'PARTIALLY_AVAILABLE' | 'HELD' | 'BOOKED';

export interface DateAvailability {
  resourceId: string;
  date: string;
  remaining: number;
  status: DateStatus;
  /** The slot's `version` (0 without a slot), so readers can tell a newer answer from an older one. */
  version: number;
}

/** What a slot shows a reader at `now`; a slot that was never claimed is simply absent. */
export function slotAvailability(
  resourceId: string,
  date: string,
  capacity: number,
  slot: DateSlotDoc | undefined,
  now: Date,
): DateAvailability {
  const live = slot ? liveClaimsOf(slot, now) : [];
  const remaining = Math.max(capacity - live.length, 0);
  let status: DateStatus = 'AVAILABLE';
  if (remaining === 0) {
    status = live.every((c) => c.state === 'booked') ? 'BOOKED' : 'HELD';
  } else if (live.length > 0) {
    status = 'PARTIALLY_AVAILABLE';
  }
  return { resourceId, date, remaining, status, version: slot?.version ?? 0 };
}

/** The same range rule for the `availability` query and the `availabilityChanged` subscription. */
export function checkRange(from: string, to: string): void {
  if (to < from) throw badInput('to', 'must not be before from');
  if (daysInclusive(from, to) > MAX_RANGE_DAYS) throw badInput('to', `the range may span at most ${MAX_RANGE_DAYS} days`);
}

/** Every date of the range as its slots show it (a date without a slot has the resource's whole capacity). */
async function readRange(
  slots: Collection<DateSlotDoc>,
  resource: ResourceDocument,
  from: string,
  to: string,
  now: () => Date,
  session?: ClientSession,
): Promise<DateAvailability[]> {
  const found = await slots.find({ resourceId: resource._id, date: { $gte: from, $lte: to } }, { session }).toArray();
  const byDate = new Map(found.map((slot) => [slot.date, slot]));
  const at = now();
  const resourceId = resource._id.toHexString();
  return eachDate(from, to).map((date) => {
    const slot = byDate.get(date);
    return slotAvailability(resourceId, date, slot?.capacity ?? resource.capacity, slot, at);
  });
}

export function availabilityReader(client: MongoClient, slots: Collection<DateSlotDoc>, resources: ResourceService, clock: Clock) {
  const now = () => clock.now();
  return {
    async availability(resourceId: string, from: string, to: string): Promise<DateAvailability[]> {
      checkRange(from, to);
      return readRange(slots, await resources.require(resourceId), from, to, now);
    },

    /** The range on one snapshot, and the snapshot's cluster time (a live view's reset). */
    atSnapshot: (resource: ResourceDocument, from: string, to: string) =>
      readAtSnapshot(client, (session) => readRange(slots, resource, from, to, now, session)),
  };
}

export type AvailabilityReader = ReturnType<typeof availabilityReader>;
