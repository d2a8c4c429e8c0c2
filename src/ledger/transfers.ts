import { type ClientSession, ObjectId } from 'mongodb';
import type { Caller } from '../auth';
import { badInput } from '../errors';
import type { RecordResult } from '../idempotency';
import { appendEntries, credit, debitIfFunds } from './balances';
import type { AccountDocument, LedgerCollections, TransferDocument } from './collections';
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

export interface Movement {
  source: AccountDocument;
  target: AccountDocument;
  amount: number;
  memo: string | null;
  initiatedBy: string;
  now: Date;
}

/**
 * The body of a transfer transaction: debit (conditional on funds), credit, the transfer record and
 * both ledger entries. Returns null, having written nothing, when the source lacks the funds.
 */
export async function moveFunds(
  collections: LedgerCollections,
  session: ClientSession,
  movement: Movement,
): Promise<TransferDocument | null> {
  const { source, target, amount, now } = movement;
  const debited = await debitIfFunds(collections.accounts, session, source._id, source.currency, amount);
  if (!debited) return null;
  const credited = await credit(collections.accounts, session, target._id, target.currency, amount);
  // Accounts are never deleted and never change currency, so a refused credit is a bug, not an outcome.
  if (!credited) throw new Error(`account ${target._id} refused a credit it was checked to accept`);
  const transfer: TransferDocument = {
    _id: new ObjectId(),
    fromAccountId: source._id,
    toAccountId: target._id,
    amount,
    currency: source.currency,
    memo: movement.memo,
    initiatedBy: movement.initiatedBy,
    createdAt: now,
  };
  await collections.transfers.insertOne(transfer, { session });
  await appendEntries(collections.entries, session, [
    { account: debited, kind: 'TRANSFER_DEBIT', amount: -amount, transferId: transfer._id, now },
    { account: credited, kind: 'TRANSFER_CREDIT', amount, transferId: transfer._id, now },
  ]);
  return transfer;
}

export function transferService(deps: LedgerDeps) {
  const { collections, accounts, runIdempotent, clock } = deps;

  /**
   * Debit (conditional on funds), credit, the transfer record and both ledger entries in one
   * transaction with majority write concern: all of it commits or none of it. A write conflict
   * with a concurrent transfer on either account makes the driver re-run the whole thing.
   * Ownership, existence and currency are checked first: none of them can change afterwards.
   */
  async function execute(caller: Caller, input: TransferInput, record: RecordResult<TransferResult>) {
    // Someone else's source account is answered like a missing one.
    const source = await accounts.findOwned(caller, input.fromAccountId);
    if (!source) return { __typename: 'AccountNotFound', accountId: input.fromAccountId } as const;
    const target = await accounts.find(input.toAccountId);
    if (!target) return { __typename: 'AccountNotFound', accountId: input.toAccountId } as const;
    if (target.currency !== source.currency)
      return { __typename: 'CurrencyMismatch', fromCurrency: source.currency, toCurrency: target.currency } as const;

    return deps.debits<TransferResult>(
      source._id.toHexString(),
      async (session) => {
        const transfer = await moveFunds(collections, session, {
          source,
          target,
          amount: input.amount,
          memo: input.memo ?? null,
          initiatedBy: caller.id,
          now: clock.now(),
        });
        if (!transfer) return { __typename: 'InsufficientFunds', accountId: input.fromAccountId, requested: input.amount };
        const result: TransferResult = { __typename: 'TransferCompleted', transfer };
        await record(session, result);
        return result;
      },
      deps.users.activeCheck(caller.id),
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
