import { type ClientSession, ObjectId } from 'mongodb';
import type { Caller } from '../auth';
import { badInput } from '../errors';
import { appendEntries, credit, debitIfFunds } from './balances';
import type { AccountDocument, LedgerCollections, TransferDocument } from './collections';
import type { LedgerParts } from './movements';
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
 * One transfer's transaction body with the driver alone: debit (conditional on funds), credit, the
 * transfer record and both ledger entries. Returns null, having written nothing, when the source
 * lacks the funds. The API settles transfers in batches instead (settle.ts); this is the baseline
 * `npm run bench:transfers` measures it against.
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

export function transferService(deps: LedgerParts) {
  const { runIdempotent } = deps;
  return {
    /**
     * Debit (conditional on funds), credit, the transfer record and both ledger entries commit in one
     * transaction with majority write concern, with the key's result: all of it or none of it.
     * Ownership, existence, currency, the owner's suspension and the funds are all decided in that
     * transaction, on one snapshot (settle.ts); a write conflict re-runs it from a fresh read.
     */
    transfer(caller: Caller, input: TransferInput): Promise<TransferResult> {
      if (input.fromAccountId === input.toAccountId) throw badInput('toAccountId', 'must differ from fromAccountId');
      if (input.memo && input.memo.length > MAX_MEMO_LENGTH) throw badInput('memo', `must be at most ${MAX_MEMO_LENGTH} characters`);
      const { idempotencyKey, ...rest } = input;
      return runIdempotent<TransferResult>({ scope: `${caller.id}:transfer`, key: idempotencyKey, input: rest }, (record) =>
        deps.orders.transfer({
          initiatedBy: caller.id,
          fromAccountId: input.fromAccountId,
          toAccountId: input.toAccountId,
          amount: input.amount,
          memo: input.memo ?? null,
          record,
        }),
      );
    },
  };
}
