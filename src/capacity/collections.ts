import type { Collection, Db, ObjectId, WithId } from 'mongodb';

export interface ResourceDoc {
  name: string;
  capacity: number;
  pricePerDate: number;
  currency: string;
  /** Optimistic-locking version: every update names the version it read and bumps it. */
  version: number;
  /** Written whenever slots are added to an existing resource, so their creation conflicts with capacity and price changes. */
  slotsCreated?: number;
  createdAt: Date;
}

export type ResourceDocument = WithId<ResourceDoc>;

/** One unit of a date's capacity, taken by a hold (until `expiresAt`) or by a paid booking. */
export interface Claim {
  holdId: ObjectId;
  userId: string;
  state: 'held' | 'booked';
  expiresAt: Date | null;
}

/** One resource on one date. Claims live here so that one conditional update can check and take capacity. */
export interface DateSlotDoc {
  resourceId: ObjectId;
  date: string;
  capacity: number;
  claims: Claim[];
  /** Bumped on every change, so subscribers can drop stale updates. */
  version: number;
  /**
   * The resource's price and currency, copied like `capacity` (set when the slot is born, in a
   * transaction that writes the resource; a price change writes every slot in its transaction), so
   * the claim that takes the date also returns what it costs, from the same snapshot. Absent on
   * slots made before slots carried them: the hold then reads the resource.
   */
  pricePerDate?: number;
  currency?: string;
}

/** The capacity module's collections: nothing else writes them. */
export interface CapacityCollections {
  resources: Collection<ResourceDoc>;
  slots: Collection<DateSlotDoc>;
}

export function capacityCollections(db: Db): CapacityCollections {
  return { resources: db.collection<ResourceDoc>('resources'), slots: db.collection<DateSlotDoc>('dateSlots') };
}

export async function ensureCapacityIndexes({ slots }: CapacityCollections): Promise<void> {
  await slots.createIndex({ resourceId: 1, date: 1 }, { unique: true });
}
