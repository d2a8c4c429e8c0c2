import type { Collection, Db, ObjectId } from 'mongodb';

export interface IdempotencyKeyDoc {
  scope: string;
  key: string;
  requestHash: string;
  state: 'in_progress' | 'completed';
  /** Identifies the request that owns an in-progress key, so only it may complete it or give it back. */
  owner: string;
  /** Until then the owner is presumed alive; after it a retry may take the key over (a new owner). */
  lockedUntil: Date;
  result?: unknown;
  createdAt: Date;
  expiresAt: Date;
}

export function idempotencyCollection(db: Db): Collection<IdempotencyKeyDoc> {
  return db.collection<IdempotencyKeyDoc>('idempotencyKeys');
}

export async function ensureIdempotencyIndexes(keys: Collection<IdempotencyKeyDoc>): Promise<void> {
  await keys.createIndex({ scope: 1, key: 1 }, { unique: true });
  // The TTL monitor only tidies up (about once a minute); expiry itself is decided by query.
  await keys.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
}

/** A key document as inserted, with its id. */
export type KeyDocument = IdempotencyKeyDoc & { _id: ObjectId };
