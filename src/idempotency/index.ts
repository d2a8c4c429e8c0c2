export { DEFAULT_LEASE_MS, type IdempotencyHooks, idempotencyRunner, type KeyUse, type RunIdempotent } from './keys';
export { type Recording, type RecordResult, recordAll } from './batchedKeys';
export { ensureIdempotencyIndexes, idempotencyCollection, type IdempotencyKeyDoc } from './collection';
