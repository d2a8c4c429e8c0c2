import type { Collection, Db, ObjectId, WithId } from 'mongodb';

export interface AccountDoc {
  ownerId: string;
  currency: string;
  /** Integer minor units, never negative: only `debitStatement` (conditional on funds) lowers it. */
  balance: number;
  version: number;
  createdAt: Date;
}

export type LedgerEntryKind = 'DEPOSIT' | 'WITHDRAWAL' | 'TRANSFER_DEBIT' | 'TRANSFER_CREDIT';

/** One change to one balance; an account's balance is always the sum of its entries. */
export interface LedgerEntryDoc {
  accountId: ObjectId;
  kind: LedgerEntryKind;
  /** Signed: negative when money leaves the account. */
  amount: number;
  balanceAfter: number;
  transferId: ObjectId | null;
  createdAt: Date;
}

export interface TransferDoc {
  fromAccountId: ObjectId;
  toAccountId: ObjectId;
  amount: number;
  currency: string;
  memo: string | null;
  initiatedBy: string;
  createdAt: Date;
}

export type AccountDocument = WithId<AccountDoc>;
export type LedgerEntryDocument = WithId<LedgerEntryDoc>;
export type TransferDocument = WithId<TransferDoc>;

export interface LedgerCollections {
  accounts: Collection<AccountDoc>;
  entries: Collection<LedgerEntryDoc>;
  transfers: Collection<TransferDoc>;
}

export function ledgerCollections(db: Db): LedgerCollections {
  return {
    accounts: db.collection<AccountDoc>('accounts'),
    entries: db.collection<LedgerEntryDoc>('ledgerEntries'),
    transfers: db.collection<TransferDoc>('transfers'),
  };
}

export async function ensureLedgerIndexes({ accounts, entries, transfers }: LedgerCollections): Promise<void> {
  await accounts.createIndex({ ownerId: 1, _id: 1 });
  await entries.createIndex({ accountId: 1, _id: -1 });
  // A transfer writes exactly one debit and one credit entry; the index makes a third impossible.
  await entries.createIndex({ transferId: 1, kind: 1 }, { unique: true, partialFilterExpression: { transferId: { $type: 'objectId' } } });
  await transfers.createIndex({ fromAccountId: 1, _id: -1 });
  await transfers.createIndex({ toAccountId: 1, _id: -1 });
}
