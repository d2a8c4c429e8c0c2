import type { Db, MongoClient } from 'mongodb';
import type { Clock } from '../clock';
import type { BackgroundJobSettings, LeaseLocks } from '../locks';
import type { Logger } from '../logger';
import type { UserService } from '../users';
import { claimSteps } from './claims';
import { capacityCollections, ensureCapacityIndexes } from './collections';
import { slotHorizonJob } from './horizonJob';
import { resourceService } from './resources';
import { slotHorizon } from './slotHorizon';

export { type ClaimedSlot, liveClaimsOf } from './claimRule';
export type { ClaimReport } from './claimSet';
export type { ClaimSteps } from './claims';
export type { DateSlotDoc, ResourceDoc, ResourceDocument } from './collections';
export type { ResourceService } from './resources';
export { HORIZON_MARGIN_DAYS, horizonDates, MAX_DAYS_AHEAD } from './slotHorizon';

export interface CapacityDeps {
  client: MongoClient;
  db: Db;
  users: UserService;
  clock: Clock;
  locks: LeaseLocks;
  logger: Logger;
  /** How often this instance tries to extend the slot horizons (and once at start); 0 = never on its own. */
  slotHorizonIntervalMs: number;
  onJobRun?: BackgroundJobSettings['onRun'];
}

/**
 * The capacity module owns a resource's capacity: the `resources` and `dateSlots` collections and
 * the claims inside slots. Other modules claim, release and book dates only through `claims`,
 * inside their own transactions; they never write these collections. Its background work is the
 * slot horizon job.
 */
export function capacityModule({ client, db, users, clock, ...deps }: CapacityDeps) {
  const collections = capacityCollections(db);
  const claims = claimSteps(collections.slots);
  const horizon = slotHorizon(client, collections.slots, collections.resources, clock);
  const horizonJob = slotHorizonJob({
    ...collections,
    createSlots: horizon.createSlots,
    locks: deps.locks,
    clock,
    logger: deps.logger,
    intervalMs: deps.slotHorizonIntervalMs,
    onRun: deps.onJobRun,
  });
  return {
    resources: resourceService({ client, resources: collections.resources, claims, insertSlots: horizon.insertSlots, users, clock }),
    claims,
    /** The hold path's fallback when a claim found no slot (slots are made with the resource and kept ahead by `horizonJob`). */
    ensureSlots: horizon.ensureSlots,
    horizonJob,
    /** Read-only outside this module: availability answers and the change feed read slots. */
    slots: collections.slots,
    /** One slot per resource and date: the unique index G1's claims rest on. */
    ensureIndexes: () => ensureCapacityIndexes(collections),
    start: horizonJob.start,
    stop: horizonJob.stop,
  };
}

export type Capacity = ReturnType<typeof capacityModule>;
