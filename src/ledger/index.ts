import type { ClientSession, Db, MongoClient, ObjectId } from 'mongodb';
import type { Clock } from '../clock';
import type { RunIdempotent } from '../idempotency';
import { type GroupCommitObserver, type GroupCommitOptions, type PageArgs, pageById, type TransactionStats } from '../mongo';
import type { UserService } from '../users';
import { accountService } from './accounts';
import { authorizationService } from './authorizations';
import { recordDeposit } from './balances';
import { ledgerChecker } from './check';
import { type AccountDocument, ensureLedgerIndexes, ledgerCollections } from './collections';
import { movementService } from './movements';
import { MONEY_BATCHING, moneyCommitter } from './moneyCommit';
import { moveMoney } from './moneyBatch';
import type { Order } from './moneyOrders';
import { transferService } from './transfers';

export type {
  AccountDoc,
  AccountDocument,
  AuthorizationDoc,
  AuthorizationDocument,
  LedgerEntryDoc,
  LedgerEntryDocument,
  TransferDoc,
  TransferDocument,
} from './collections';
export { authorizationStatus } from './authorizations';
export { availableOf, reservedOf } from './funds';
export { HOUSE_OWNER } from './accounts';
export type { AuthorizeOrder, CaptureOrder, Order, TransferOrder, VoidOrder } from './moneyOrders';
export type * from './results';

export interface LedgerModuleDeps {
  client: MongoClient;
  db: Db;
  clock: Clock;
  users: UserService;
  runIdempotent: RunIdempotent;
  /** How withdrawals and transfers are group-committed (default `MONEY_BATCHING`, see moneyCommit.ts). */
  batching?: GroupCommitOptions;
  groupCommitObserver?: GroupCommitObserver;
}

/**
 * The ledger module owns `accounts`, `ledgerEntries`, `transfers` and `authorizations`: accounts
 * (users' and the house's), money movements, transfers, two-phase transfers (authorizations),
 * their history and reconciliation. Other modules move money only through `depositWithin` and
 * `moveMoneyWithin`. It has no background work.
 */
export function ledgerModule({ client, db, clock, users, ...deps }: LedgerModuleDeps) {
  const collections = ledgerCollections(db);
  const accounts = accountService(collections.accounts, clock);
  /** Ledger transactions run and attempted by this instance (attempts - runs = write-conflict retries). */
  const transactionStats: TransactionStats = { runs: 0, attempts: 0 };
  const committer = moneyCommitter(
    { client, collections, users, now: () => clock.now(), transactionStats, observer: deps.groupCommitObserver },
    deps.batching ?? MONEY_BATCHING,
  );
  const parts = { client, collections, accounts, runIdempotent: deps.runIdempotent, clock, transactionStats, users, committer };
  return {
    accounts,
    ...movementService(parts),
    ...transferService(parts),
    ...authorizationService(parts),
    /** Money steps inside another module's transaction (a hold's reservation, a hold paid or refunded): see moneyBatch.ts. */
    moveMoneyWithin: (session: ClientSession, orders: Order[]) =>
      moveMoney({ collections, users, now: () => clock.now() }, session, orders),
    check: ledgerChecker(client, collections, clock),
    transfersOf: (accountId: ObjectId, page: PageArgs) =>
      pageById(collections.transfers, { $or: [{ fromAccountId: accountId }, { toAccountId: accountId }] }, page),
    /** The account as it stands, on the caller's session (a live view's snapshot read). */
    accountById: (id: ObjectId, session?: ClientSession) => collections.accounts.findOne({ _id: id }, { session }),
    entriesOf: (accountId: ObjectId, page: PageArgs) => pageById(collections.entries, { accountId }, page),
    /** The deposit path (credit + DEPOSIT entry) inside another module's transaction, e.g. a paid top-up. */
    depositWithin: (session: ClientSession, account: Pick<AccountDocument, '_id' | 'currency'>, amount: number, now: Date) =>
      recordDeposit(collections, session, account, amount, now),
    /** A transfer's entries are unique per kind: the index makes a third entry impossible. */
    ensureIndexes: () => ensureLedgerIndexes(collections),
  };
}

export type Ledger = ReturnType<typeof ledgerModule>;
