/**
 * The ledger module's test face: what tests drive below `index.ts`, never imported by src/ (lint
 * rule `test-faces-only-for-tests`). The group-commit engine of withdrawals and transfers on its
 * own (no HTTP, no idempotency keys), so a test decides which orders share a batch, and the batch's
 * account read, so a test can hand it a stale view.
 */
export { ledgerCollections } from './collections';
export { type AccountReader, readAccounts } from './moneyBatch';
export type { TransferOrder, WithdrawalOrder } from './moneyOrders';
export { type MoneyCommitDeps, moneyCommitter } from './moneyCommit';
