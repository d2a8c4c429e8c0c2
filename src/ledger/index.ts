import type { ObjectId } from 'mongodb';
import { pageByIdDescending } from '../graphql/pagination';
import { ledgerChecker } from './check';
import { movementService, type LedgerDeps } from './movements';
import { transferService } from './transfers';

/** The ledger's public face: money movements, transfers, history and reconciliation. */
export function ledgerService(deps: LedgerDeps) {
  const { transfers, entries } = deps.collections;
  return {
    ...movementService(deps),
    ...transferService(deps),
    check: ledgerChecker(deps.client, deps.collections),
    transfersOf: (accountId: ObjectId, first: number, after?: string | null) =>
      pageByIdDescending(transfers, { $or: [{ fromAccountId: accountId }, { toAccountId: accountId }] }, first, after),
    entriesOf: (accountId: ObjectId, first: number, after?: string | null) => pageByIdDescending(entries, { accountId }, first, after),
  };
}

export type LedgerService = ReturnType<typeof ledgerService>;
