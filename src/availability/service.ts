import { assert } from '../assert';
import type { DateSlotDoc, ResourceService } from '../capacity';
import type { Clock } from '../clock';
import { DomainError } from '../errors';
import type { Fanout } from './fanout';
import { checkRange, type DateAvailability, slotAvailability } from './reader';

export interface LiveAvailabilityDeps {
  fanout: Fanout;
  resources: ResourceService;
  clock: Clock;
}

/** How many resource ids `subscribe` remembers as found (oldest forgotten first). */
const KNOWN_RESOURCES = 10_000;

/** Subscribing (validated like the `availability` query) and turning changed slots into events. */
export function liveAvailability({ fanout, resources, clock }: LiveAvailabilityDeps) {
  /**
   * The id as the client wrote it → the resource's id. Resources are never deleted, so one that was
   * found once exists for good, and the thousands of calendars open on one resource cost one read,
   * not one each. An id that was not found is not remembered: it is read again every time.
   */
  const known = new Map<string, string>();

  async function resourceOf(id: string): Promise<string> {
    const found = known.get(id);
    if (found) return found;
    const resource = (await resources.require(id))._id.toHexString();
    known.set(id, resource);
    if (known.size > KNOWN_RESOURCES) {
      const oldest = known.keys().next();
      assert(!oldest.done, 'a full memory has an oldest id');
      known.delete(oldest.value);
    }
    return resource;
  }

  return {
    async subscribe(resourceId: string, from: string, to: string): Promise<AsyncIterableIterator<DateAvailability>> {
      checkRange(from, to);
      return fanout.subscribe({ resourceId: await resourceOf(resourceId), from, to });
    },

    /** Computed once per change, at delivery time, by the same rule as the `availability` query. */
    publishSlot(slot: DateSlotDoc): void {
      fanout.publish(slot.resourceId.toHexString(), slotAvailability(slot.date, slot.capacity, slot, clock.now()));
    },

    /** The feed lost events for good: clients must re-query, so their subscriptions end with a retryable error. */
    endAll(_cause: Error): void {
      fanout.failAll(
        new DomainError(
          'SERVICE_UNAVAILABLE',
          'Live updates were interrupted and some may be missing; subscribe again and re-query availability',
          { retryable: true },
        ),
      );
    },

    subscriberCount: (): number => fanout.subscriberCount(),
  };
}
