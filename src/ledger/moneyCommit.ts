import type { MongoClient } from 'mongodb';
import { type GroupCommitObserver, type GroupCommitOptions, groupCommit, type TransactionStats } from '../mongo';
import type { AuthorizeResult, CaptureResult, TransferResult, VoidResult, WithdrawResult } from './results';
import { type MoneyBatchDeps, moveMoney } from './moneyBatch';
import {
  type AuthorizeOrder,
  type CaptureOrder,
  lockKeysOf,
  type Order,
  type OrderResult,
  type TransferOrder,
  type VoidOrder,
  type WithdrawalOrder,
} from './moneyOrders';

export interface MoneyCommitDeps extends MoneyBatchDeps {
  client: MongoClient;
  transactionStats: TransactionStats;
  observer?: GroupCommitObserver;
}

export const MONEY_BATCHING: GroupCommitOptions = { maxConcurrent: 1, maxBatch: 64, maxWaiting: 10_000 };

/**
 * Withdrawals, transfers and authorizations (authorize, capture, void), group-committed
 * (src/mongo/groupCommit): each batch is one transaction running `moveMoney` (moneyBatch.ts); an
 * account and an authorization are lock keys, an idempotency key keeps two orders apart.
 */
export function moneyCommitter(deps: MoneyCommitDeps, options: GroupCommitOptions = MONEY_BATCHING) {
  const engine = groupCommit<Order, OrderResult>(
    {
      name: 'ledger',
      client: deps.client,
      run: (session, orders) => moveMoney(deps, session, orders),
      keysOf: lockKeysOf,
      distinctOf: (order) => order.key,
      transactionStats: deps.transactionStats,
      observer: deps.observer,
    },
    options,
  );
  return {
    transfer: (order: Omit<TransferOrder, 'kind'>) => engine.submit({ kind: 'transfer', ...order }) as Promise<TransferResult>,
    withdraw: (order: Omit<WithdrawalOrder, 'kind'>) => engine.submit({ kind: 'withdrawal', ...order }) as Promise<WithdrawResult>,
    authorize: (order: Omit<AuthorizeOrder, 'kind'>) => engine.submit({ kind: 'authorize', ...order }) as Promise<AuthorizeResult>,
    capture: (order: Omit<CaptureOrder, 'kind'>) => engine.submit({ kind: 'capture', ...order }) as Promise<CaptureResult>,
    void: (order: Omit<VoidOrder, 'kind'>) => engine.submit({ kind: 'void', ...order }) as Promise<VoidResult>,
  };
}

export type MoneyCommitter = ReturnType<typeof moneyCommitter>;
