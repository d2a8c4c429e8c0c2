import type { MongoClient } from 'mongodb';
import { requireAdmin } from '../auth';
import type { Caller } from '../auth';
import type { Clock } from '../clock';
import { notFound } from '../errors';
import type { RunIdempotent } from '../idempotency';
import { type TransactionStats, withTransaction } from '../mongo';
import type { AccountService } from './accounts';
import { appendEntries, debitIfFunds, recordDeposit } from './balances';
import type { LedgerCollections } from './collections';
import type { DebitBatcher } from './debitBatcher';
import type { UserService } from '../users';
import type { DepositResult, WithdrawResult } from './results';

export interface MovementInput {
  accountId: string;
  amount: number;
  idempotencyKey: string;
}

export interface LedgerDeps {
  client: MongoClient;
  collections: LedgerCollections;
  accounts: AccountService;
  runIdempotent: RunIdempotent;
  /** Runs debits of one account one transaction at a time, batched (see debitBatcher.ts). */
  debits: DebitBatcher;
  clock: Clock;
  transactionStats: TransactionStats;
  users: UserService;
}

/** Money entering and leaving the system; each movement and its ledger entry commit together. */
export function movementService(deps: LedgerDeps) {
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

    /** Owner only. The debit's filter is the funds check, so concurrent withdrawals never overdraw. */
    withdraw(caller: Caller, input: MovementInput): Promise<WithdrawResult> {
      const request = {
        scope: `${caller.id}:withdraw`,
        key: input.idempotencyKey,
        input: { accountId: input.accountId, amount: input.amount },
      };
      return runIdempotent<WithdrawResult>(request, async (record) => {
        const account = await accounts.requireOwned(caller, input.accountId, 'accountId');
        return deps.debits<WithdrawResult>(
          account._id.toHexString(),
          async (session) => {
            const debited = await debitIfFunds(collections.accounts, session, account._id, account.currency, input.amount);
            if (!debited) return { __typename: 'InsufficientFunds', accountId: input.accountId, requested: input.amount };
            const [entry] = await appendEntries(collections.entries, session, [
              { account: debited, kind: 'WITHDRAWAL', amount: -input.amount, transferId: null, now: clock.now() },
            ]);
            const result: WithdrawResult = { __typename: 'Withdrawn', account: debited, entry };
            await record(session, result);
            return result;
          },
          deps.users.activeCheck(caller.id),
        );
      });
    },
  };
}
