export {
  DEFAULT_LEASE_MS,
  ensureIdempotencyIndexes,
  type IdempotencyHooks,
  idempotencyCollection,
  type IdempotencyKeyDoc,
  idempotencyRunner,
  type KeyUse,
  type RecordResult,
  type RunIdempotent,
} from './keys';
