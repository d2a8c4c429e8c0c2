import type { Collection } from 'mongodb';
import type { Clock } from '../clock';
import { badInput } from '../errors';
import { daysInclusive, eachDate } from '../calendar';
import { type DateSlotDoc, liveClaimsOf, type ResourceService } from '../capacity';

export const MAX_RANGE_DAYS = 366;

export type DateStatus = 'AVAILABLE' | 'PARTIALLY_AVAILABLE' | 'HELD' | 'BOOKED';

export interface DateAvailability {
  date: string;
  remaining: number;
  status: DateStatus;
  /** The slot's `version` (0 without a slot), so readers can tell a newer answer from an older one. */
  version: number;
}

/** What a slot shows a reader at `now`; a slot that was never claimed is simply absent. */
export function slotAvailability(date: string, capacity: number, slot: DateSlotDoc | undefined, now: Date): DateAvailability {
  const live = slot ? liveClaimsOf(slot, now) : [];
  const remaining = Math.max(capacity - live.length, 0);
  let status: DateStatus = 'AVAILABLE';
  if (remaining === 0) {
    status = live.every((c) => c.state === 'booked') ? 'BOOKED' : 'HELD';
  } else if (live.length > 0) {
    status = 'PARTIALLY_AVAILABLE';
  }
  return { date, remaining, status, version: slot?.version ?? 0 };
}

/** The same range rule for the `availability` query and the `availabilityChanged` subscription. */
export function checkRange(from: string, to: string): void {
  if (to < from) throw badInput('to', 'must not be before from');
  if (daysInclusive(from, to) > MAX_RANGE_DAYS) throw badInput('to', `the range may span at most ${MAX_RANGE_DAYS} days`);
}

export function availabilityReader(slots: Collection<DateSlotDoc>, resources: ResourceService, clock: Clock) {
  return async function availability(resourceId: string, from: string, to: string): Promise<DateAvailability[]> {
    checkRange(from, to);
    const resource = await resources.require(resourceId);
    const found = await slots.find({ resourceId: resource._id, date: { $gte: from, $lte: to } }).toArray();
    const byDate = new Map(found.map((slot) => [slot.date, slot]));
    const now = clock.now();
    return eachDate(from, to).map((date) => {
      const slot = byDate.get(date);
      return slotAvailability(date, slot?.capacity ?? resource.capacity, slot, now);
    });
  };
}
