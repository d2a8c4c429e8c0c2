import type { Db, MongoClient } from 'mongodb';
import type { Clock } from '../clock';
import type { UserService } from '../users';
import { claimSteps } from './claims';
import { capacityCollections } from './collections';
import { resourceService } from './resources';
import { slotCreator } from './slotHorizon';

export { type ClaimedSlot, type ClaimReport, type ClaimSteps, liveClaimsOf } from './claims';
export {
  capacityCollections,
  type Claim,
  type DateSlotDoc,
  ensureCapacityIndexes,
  type ResourceDoc,
  type ResourceDocument,
} from './collections';
export { claimSteps } from './claims';
export { slotCreator } from './slotHorizon';
export {
  type CapacityBelowClaimsResult,
  MAX_CAPACITY,
  type ResourceService,
  type ResourceUpdatedResult,
  type VersionConflictResult,
} from './resources';
export { type EnsureSlots, MAX_DAYS_AHEAD } from './slotHorizon';

export interface CapacityDeps {
  client: MongoClient;
  db: Db;
  users: UserService;
  clock: Clock;
}

/**
 * The capacity module owns a resource's capacity: the `resources` and `dateSlots` collections and
 * the claims inside slots. Other modules claim, release and book dates only through `claims`,
 * inside their own transactions; they never write these collections.
 */
export function capacityModule({ client, db, users, clock }: CapacityDeps) {
  const collections = capacityCollections(db);
  const claims = claimSteps(collections.slots);
  return {
    resources: resourceService({ client, resources: collections.resources, claims, users, clock }),
    claims,
    ensureSlots: slotCreator(client, collections.slots, collections.resources, clock),
    /** Read-only outside this module: availability answers and the change feed read slots. */
    slots: collections.slots,
  };
}

export type Capacity = ReturnType<typeof capacityModule>;
