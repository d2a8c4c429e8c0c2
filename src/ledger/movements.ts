import type { MongoClient } from 'mongodb';
import { requireAdmin } from '../auth';
import type { Caller } from '../auth';
import type { Clock } from '../clock';
import { notFound } from '../errors';
import type { RunIdempotent } from '../idempotency';
import { type TransactionStats, withTransaction } from '../mongo';
import type { AccountService } from './accounts';
import { recordDeposit } from './balances';
import type { LedgerCollections } from './collections';
import type { MoneyCommitter } from './moneyCommit';
import type { UserService } from '../users';
import type { DepositResult, WithdrawResult } from './results';

export interface MovementInput {
  accountId: string;
  amount: number;
  idempotencyKey: string;
}

/** What the ledger's services share, built by `ledgerModule`: among them the one engine that group-commits withdrawals and transfers. */
export interface LedgerParts {
  client: MongoClient;
  collections: LedgerCollections;
  accounts: AccountService;
  runIdempotent: RunIdempotent;
  clock: Clock;
  transactionStats: TransactionStats;
  users: UserService;
  committer: MoneyCommitter;
}

/** Money entering and leaving the system; each movement and its ledger entry commit together. */
export function movementService(deps: LedgerParts) {
  const { client, collections, accounts, runIdempotent, clock, transactionStats } = deps;

  return {
    /** Admin only; checked again inside the transaction. Stripe top-ups share `recordDeposit`. */
    deposit(caller: Caller, input: MovementInput): Promise<DepositResult> {
      requireAdmin(caller);
      const request = {
        scope: `${caller.id}:deposit`,
        key: input.idempotencyKey,
        input: { accountId: input.accountId, amount: input.amount },
      };
      return runIdempotent<DepositResult>(request, async (record) => {
        const account = await accounts.find(input.accountId);
        if (!account) throw notFound('accountId', 'account');
        return withTransaction(
          client,
          async (session) => {
            await deps.users.authorizeAdmin(session, caller.id);
            const deposited = await recordDeposit(collections, session, account, input.amount, clock.now());
            const result: DepositResult = { __typename: 'Deposited', ...deposited };
            await record(session, result);
            return result;
          },
          transactionStats,
        );
      });
    },

    /**
     * Owner only (anyone else's account is NOT_FOUND, as a missing one). The debit's filter is the
     * funds check, so concurrent withdrawals never overdraw; it is group-committed in a batch (moneyBatch.ts).
     */
    withdraw(caller: Caller, input: MovementInput): Promise<WithdrawResult> {
      const request = {
        scope: `${caller.id}:withdraw`,
        key: input.idempotencyKey,
        input: { accountId: input.accountId, amount: input.amount },
        // Its whole effect is the batch's transaction, which records the key too (README G3).
        keyWithEffect: true,
      };
      return runIdempotent<WithdrawResult>(request, (record) =>
        deps.committer.withdraw({
          key: `${request.scope}:${request.key}`,
          initiatedBy: caller.id,
          accountId: input.accountId,
          amount: input.amount,
          record,
        }),
      );
    },
  };
}
