import type { ObjectId } from 'mongodb';
import { type PageArgs, pageById } from '../graphql/pagination';
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
    transfersOf: (accountId: ObjectId, page: PageArgs) =>
      pageById(transfers, { $or: [{ fromAccountId: accountId }, { toAccountId: accountId }] }, page),
    entriesOf: (accountId: ObjectId, page: PageArgs) => pageById(entries, { accountId }, page),
  };
}

export type LedgerService = ReturnType<typeof ledgerService>;
