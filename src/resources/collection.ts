import type { Collection, Db, WithId } from 'mongodb';

export interface ResourceDoc {
  name: string;
  capacity: number;
  pricePerDate: number;
  currency: string;
  /** Optimistic-locking version: every update names the version it read and bumps it. */
  version: number;
  /** Written whenever date slots are created, so slot creation conflicts with capacity changes. */
  slotsCreated?: number;
  createdAt: Date;
}

export type ResourceDocument = WithId<ResourceDoc>;

export function resourcesCollection(db: Db): Collection<ResourceDoc> {
  return db.collection<ResourceDoc>('resources');
}
