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

/** Subscribing (validated like the `availability` query) and turning changed slots into events. */
export function liveAvailability({ fanout, resources, clock }: LiveAvailabilityDeps) {
  return {
    async subscribe(resourceId: string, from: string, to: string): Promise<AsyncIterableIterator<DateAvailability>> {
      checkRange(from, to);
      const resource = await resources.require(resourceId);
      return fanout.subscribe({ resourceId: resource._id.toHexString(), from, to });
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

export type LiveAvailability = ReturnType<typeof liveAvailability>;
