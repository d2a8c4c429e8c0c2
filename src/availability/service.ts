import { assert } from '../assert';
import type { DateSlotDoc, ResourceDocument, ResourceService } from '../capacity';
import type { availabilityUpdates } from './availabilityUpdates';
import type { Commit } from './commits';

type AvailabilityUpdates = ReturnType<typeof availabilityUpdates>;
import type { Clock } from '../clock';
import { DomainError } from '../errors';
import type { Fanout } from './fanout';
import { checkRange, type DateAvailability, slotAvailability } from './reader';

export interface LiveAvailabilityDeps {
  fanout: Fanout;
  updates: AvailabilityUpdates;
  resources: ResourceService;
  clock: Clock;
}

/** How many resource ids `subscribe` remembers as found (oldest forgotten first). */
const KNOWN_RESOURCES = 10_000;

/** Subscribing (validated like the `availability` query) and turning changed slots into events. */
export function liveAvailability({ fanout, updates, resources, clock }: LiveAvailabilityDeps) {
  /**
   * The id as the client wrote it → the resource's id. Resources are never deleted, so one that was
   * found once exists for good, and the thousands of calendars open on one resource cost one read,
   * not one each. An id that was not found is not remembered: it is read again every time.
   */
  const known = new Map<string, ResourceDocument>();

  async function resourceOf(id: string): Promise<ResourceDocument> {
    const found = known.get(id);
    if (found) return found;
    const resource = await resources.require(id);
    known.set(id, resource);
    if (known.size > KNOWN_RESOURCES) {
      const oldest = known.keys().next();
      assert(!oldest.done, 'a full memory has an oldest id');
      known.delete(oldest.value);
    }
    return resource;
  }

  /** Computed once per change, at delivery time, by the same rule as the `availability` query. */
  function publishSlot(slot: DateSlotDoc): void {
    const resourceId = slot.resourceId.toHexString();
    fanout.publish(resourceId, slotAvailability(resourceId, slot.date, slot.capacity, slot, clock.now()));
  }

  return {
    async subscribe(resourceId: string, from: string, to: string): Promise<AsyncIterableIterator<DateAvailability>> {
      checkRange(from, to);
      return fanout.subscribe({ resourceId: (await resourceOf(resourceId))._id.toHexString(), from, to });
    },

    /** `availabilityUpdates`: validated the same way, then resumed or reset (availabilityUpdates.ts). */
    async updates(resourceId: string, from: string, to: string, after?: string | null) {
      checkRange(from, to);
      return updates.subscribe(await resourceOf(resourceId), from, to, after);
    },

    /** One commit: its slots to `availabilityChanged` (one event per date, a thin view) and the whole commit to `availabilityUpdates`. */
    publishCommit(commit: Commit): void {
      for (const slot of commit.slots) publishSlot(slot);
      updates.publish(commit);
    },

    /** The feed lost commits for good: `availabilityUpdates` subscribers get a reset; `availabilityChanged` ones an error (below). */
    resetUpdates: () => updates.resetAll(resourceOf),

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

    subscriberCount: (): number => fanout.subscriberCount() + updates.subscriberCount(),
  };
}
