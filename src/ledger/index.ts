import type { ClientSession, ObjectId } from 'mongodb';
import { type PageArgs, pageById } from '../mongo';
import { recordDeposit } from './balances';
import { ledgerChecker } from './check';
import type { AccountDocument } from './collections';
import { movementService, type LedgerDeps } from './movements';
import { DEFAULT_BATCHING, settlement } from './settle';
import { transferService } from './transfers';

/** The ledger's public face: money movements, transfers, history and reconciliation. */
export function ledgerService(deps: LedgerDeps) {
  const { transfers, entries } = deps.collections;
  const orders = settlement(
    {
      client: deps.client,
      collections: deps.collections,
      users: deps.users,
      now: () => deps.clock.now(),
      transactionStats: deps.transactionStats,
      observer: deps.groupCommitObserver,
    },
    deps.batching ?? DEFAULT_BATCHING,
  );
  const parts = { ...deps, orders };
  return {
    ...movementService(parts),
    ...transferService(parts),
    check: ledgerChecker(deps.client, deps.collections),
    transfersOf: (accountId: ObjectId, page: PageArgs) =>
      pageById(transfers, { $or: [{ fromAccountId: accountId }, { toAccountId: accountId }] }, page),
    entriesOf: (accountId: ObjectId, page: PageArgs) => pageById(entries, { accountId }, page),
    /** The deposit path (credit + DEPOSIT entry) inside another module's transaction, e.g. a paid top-up. */
    depositWithin: (session: ClientSession, account: Pick<AccountDocument, '_id' | 'currency'>, amount: number, now: Date) =>
      recordDeposit(deps.collections, session, account, amount, now),
  };
}

export type LedgerService = ReturnType<typeof ledgerService>;

export { type AccountService, accountService } from './accounts';
export {
  type AccountDoc,
  type AccountDocument,
  ensureLedgerIndexes,
  type LedgerCollections,
  type LedgerEntryDoc,
  type LedgerEntryDocument,
  ledgerCollections,
  type TransferDoc,
  type TransferDocument,
} from './collections';
