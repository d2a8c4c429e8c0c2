import type { MongoClient } from 'mongodb';
import { type GroupCommitObserver, type GroupCommitOptions, groupCommit, type TransactionStats } from '../mongo';
import type { TransferResult, WithdrawResult } from './results';
import {
  accountsOf,
  type MoneyBatchDeps,
  moveMoney,
  type Order,
  type OrderResult,
  type TransferOrder,
  type WithdrawalOrder,
} from './moneyBatch';

export interface MoneyCommitDeps extends MoneyBatchDeps {
  client: MongoClient;
  transactionStats: TransactionStats;
  observer?: GroupCommitObserver;
}

export const MONEY_BATCHING: GroupCommitOptions = { maxConcurrent: 1, maxBatch: 64, maxWaiting: 10_000 };

/**
 * Withdrawals and transfers, group-committed (src/mongo/groupCommit): each batch is one transaction
 * running `moveMoney` (moneyBatch.ts); an account is a lock key, an idempotency key keeps two orders apart.
 */
export function moneyCommitter(deps: MoneyCommitDeps, options: GroupCommitOptions = MONEY_BATCHING) {
  const engine = groupCommit<Order, OrderResult>(
    {
      name: 'ledger',
      client: deps.client,
      run: (session, orders) => moveMoney(deps, session, orders),
      keysOf: accountsOf,
      distinctOf: (order) => order.key,
      transactionStats: deps.transactionStats,
      observer: deps.observer,
    },
    options,
  );
  return {
    transfer: (order: Omit<TransferOrder, 'kind'>) => engine.submit({ kind: 'transfer', ...order }) as Promise<TransferResult>,
    withdraw: (order: Omit<WithdrawalOrder, 'kind'>) => engine.submit({ kind: 'withdrawal', ...order }) as Promise<WithdrawResult>,
  };
}

export type MoneyCommitter = ReturnType<typeof moneyCommitter>;
