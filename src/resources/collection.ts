import type { Collection, Db, ObjectId, WithId } from 'mongodb';

export interface ResourceDoc {
  name: string;
  capacity: number;
  pricePerDate: number;
  currency: string;
  version: number;
  createdAt: Date;
}

export type ResourceDocument = WithId<ResourceDoc>;

export function resourcesCollection(db: Db): Collection<ResourceDoc> {
  return db.collection<ResourceDoc>('resources');
}

export type ResourceId = ObjectId;
