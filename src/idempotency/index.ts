import type { Db } from 'mongodb';
import { ensureIdempotencyIndexes, idempotencyCollection } from './collection';
import { idempotencyRunner, type IdempotencyRunnerOptions } from './keys';

export { DEFAULT_LEASE_MS, type IdempotencyHooks, type KeyUse, type RunIdempotent } from './keys';
export { type RecordResult, recordAll } from './batchedKeys';
export type { IdempotencyKeyDoc } from './collection';

export interface IdempotencyDeps extends Omit<IdempotencyRunnerOptions, 'keys'> {
  db: Db;
}

/** The idempotency module owns `idempotencyKeys`: a mutation's key, its lease, its stored result. */
export function idempotencyModule({ db, ...options }: IdempotencyDeps) {
  const keys = idempotencyCollection(db);
  return {
    /** Runs a mutation under its idempotency key (keys.ts). */
    run: idempotencyRunner({ keys, ...options }),
    /** The unique key index is what lets one of concurrent requests with a key do the work. */
    ensureIndexes: () => ensureIdempotencyIndexes(keys),
  };
}
