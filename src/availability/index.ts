import type { Timestamp } from 'mongodb';
import type { Capacity } from '../capacity';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { type ChangeFeed, startChangeFeed } from './changeFeed';
import { createFanout } from './fanout';
import { availabilityReader } from './reader';
import { liveAvailability } from './service';

export type { DateAvailability } from './reader';

export interface AvailabilityDeps {
  capacity: Pick<Capacity, 'slots' | 'resources'>;
  clock: Clock;
  logger: Logger;
  /** Told after each change was fanned out, with its commit times (metrics: commit → fan-out lag). */
  onFannedOut?: (change: { clusterTime?: Timestamp; wallTime?: Date }) => void;
}

/**
 * The availability module owns no collection: it reads capacity's `dateSlots` for the
 * `availability` query, and its change stream on them feeds this instance's subscribers. The
 * stream is its background work: `open` starts it (before the server listens, so every change
 * committed from then on reaches subscribers), `close` ends it (after the server drained).
 */
export function availabilityModule({ capacity, clock, logger, onFannedOut }: AvailabilityDeps) {
  const live = liveAvailability({ fanout: createFanout(), resources: capacity.resources, clock });
  let feed: ChangeFeed | undefined;
  return {
    read: availabilityReader(capacity.slots, capacity.resources, clock),
    live,
    /** False until opened, and from the stream's first failure until it answers again (readiness). */
    feedOpen: (): boolean => feed?.isOpen() ?? false,
    async open(): Promise<void> {
      feed = await startChangeFeed({
        slots: capacity.slots,
        logger,
        onSlotChanged: live.publishSlot,
        onEventsLost: live.endAll,
        onFannedOut,
      });
    },
    close: async (): Promise<void> => feed?.stop(),
  };
}

export type Availability = ReturnType<typeof availabilityModule>;
