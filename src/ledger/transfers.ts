import type { Caller } from '../auth';
import { badInput } from '../errors';
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
