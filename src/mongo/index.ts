export { createMongoClient, DEFAULT_MONGODB_TIMEOUT_MS, timeBudgetOf } from './client';
export { findAgain, findById, parseObjectId } from './ids';
export { asOutage, RETRY_AFTER_SECONDS } from './outage';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page, type PageArgs, pageById } from './pagination';
export {
  observeTransactions,
  readAtSnapshot,
  Rollback,
  type TransactionObserver,
  type TransactionStats,
  withTransaction,
} from './transaction';
export { DUPLICATE_KEY, isDuplicateKey } from './errors';
export {
  type GroupCommit,
  type GroupCommitObserver,
  type GroupCommitOptions,
  groupCommit,
  OrderFailed,
  type Outcome,
  PlanRefused,
} from './groupCommit/engine';
export { readsById } from './readsById';
