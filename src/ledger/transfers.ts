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
     * transaction with majority write concern, with the idempotency key and its result (inserted
     * there, nothing before): all of it or none of it.
     * Ownership, existence, currency, the owner's suspension and the funds are all decided in that
     * transaction, on one snapshot (moneyBatch.ts); a write conflict re-runs it from a fresh read.
     */
    transfer(caller: Caller, input: TransferInput): Promise<TransferResult> {
      if (input.fromAccountId === input.toAccountId) throw badInput('toAccountId', 'must differ from fromAccountId');
      if (input.memo && input.memo.length > MAX_MEMO_LENGTH) throw badInput('memo', `must be at most ${MAX_MEMO_LENGTH} characters`);
      const { idempotencyKey, ...rest } = input;
      const scope = `${caller.id}:transfer`;
      // Its whole effect is the batch's transaction, which records the key too (README G3).
      const request = { scope, key: idempotencyKey, input: rest, keyWithEffect: true };
      return runIdempotent<TransferResult>(request, (record) =>
        deps.committer.transfer({
          key: `${scope}:${idempotencyKey}`,
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
