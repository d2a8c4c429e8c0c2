import { ObjectId } from 'mongodb';
import type { Caller } from '../auth/token';
import { apiError, badInput } from '../graphql/errors';
import type { RecordResult } from '../idempotency/keys';
import { Rollback, withTransaction } from '../mongo/transaction';
import { appendEntry, credit, debitIfFunds } from './balances';
import type { TransferDocument } from './collections';
import type { LedgerDeps } from './movements';
import type { TransferResult } from './results';

export const MAX_MEMO_LENGTH = 500;

export interface TransferInput {
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  idempotencyKey: string;
  memo?: string | null;
}

export function transferService(deps: LedgerDeps) {
  const { client, collections, accounts, runIdempotent, clock, transactionStats } = deps;

  /**
   * Debit (conditional on funds), credit, the transfer record and both ledger entries in one
   * transaction with majority write concern: all of it commits or none of it. A write conflict
   * with a concurrent transfer on either account makes the driver re-run the whole thing.
   */
  async function execute(caller: Caller, input: TransferInput, record: RecordResult<TransferResult>) {
    const source = await accounts.find(input.fromAccountId);
    if (!source) return { __typename: 'AccountNotFound', accountId: input.fromAccountId } as const;
    if (source.ownerId !== caller.id)
      throw apiError('FORBIDDEN', 'fromAccountId: this account belongs to another user', { field: 'fromAccountId' });
    const target = await accounts.find(input.toAccountId);
    if (!target) return { __typename: 'AccountNotFound', accountId: input.toAccountId } as const;
    if (target.currency !== source.currency)
      return { __typename: 'CurrencyMismatch', fromCurrency: source.currency, toCurrency: target.currency } as const;

    return deps.debitQueue(source._id.toHexString(), () =>
      withTransaction<TransferResult>(
        client,
        async (session) => {
          const now = clock.now();
          const debited = await debitIfFunds(collections.accounts, session, source._id, source.currency, input.amount);
          if (!debited) return { __typename: 'InsufficientFunds', accountId: input.fromAccountId, requested: input.amount };
          const credited = await credit(collections.accounts, session, target._id, target.currency, input.amount);
          if (!credited) throw new Rollback<TransferResult>({ __typename: 'AccountNotFound', accountId: input.toAccountId });
          const transfer: TransferDocument = {
            _id: new ObjectId(),
            fromAccountId: source._id,
            toAccountId: target._id,
            amount: input.amount,
            currency: source.currency,
            memo: input.memo ?? null,
            initiatedBy: caller.id,
            createdAt: now,
          };
          await collections.transfers.insertOne(transfer, { session });
          await appendEntry(collections.entries, session, debited, 'TRANSFER_DEBIT', -input.amount, transfer._id, now);
          await appendEntry(collections.entries, session, credited, 'TRANSFER_CREDIT', input.amount, transfer._id, now);
          const result: TransferResult = { __typename: 'TransferCompleted', transfer };
          await record(session, result);
          return result;
        },
        transactionStats,
      ),
    );
  }

  return {
    transfer(caller: Caller, input: TransferInput): Promise<TransferResult> {
      if (input.fromAccountId === input.toAccountId) throw badInput('toAccountId', 'must differ from fromAccountId');
      if (input.memo && input.memo.length > MAX_MEMO_LENGTH) throw badInput('memo', `must be at most ${MAX_MEMO_LENGTH} characters`);
      const { idempotencyKey, ...rest } = input;
      return runIdempotent<TransferResult>({ scope: `${caller.id}:transfer`, key: idempotencyKey, input: rest }, (record) =>
        execute(caller, input, record),
      );
    },
  };
}
