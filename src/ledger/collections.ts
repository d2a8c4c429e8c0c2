import type { Collection, Db, ObjectId, WithId } from 'mongodb';

/** An authorization's hold on an account's funds, carried by the account (as a date slot carries its claims). */
export interface AccountAuthorization {
  authorizationId: ObjectId;
  amount: number;
  /** It stops counting the instant this passes: no sweeper involved (funds.ts). */
  expiresAt: Date;
}

export interface AccountDoc {
  /** A user id; '' for a house account (no user id is empty, so no caller owns one). */
  ownerId: string;
  currency: string;
  /**
   * Integer minor units, never negative, and never below what its live authorizations hold: only a
   * statement conditional on available funds (funds.ts) or a capture of a live authorization lowers it.
   */
  balance: number;
  version: number;
  createdAt: Date;
  /** Its ACTIVE authorizations; entries past `expiresAt` count for nothing and are dropped by the next authorization. */
  authorizations?: AccountAuthorization[];
}

export type AuthorizationState = 'ACTIVE' | 'CAPTURED' | 'VOIDED';

/** Money held from one account for a later capture into another (two-phase transfer). EXPIRED is ACTIVE past `expiresAt`. */
export interface AuthorizationDoc {
  fromAccountId: ObjectId;
  toAccountId: ObjectId;
  amount: number;
  capturedAmount: number;
  currency: string;
  status: AuthorizationState;
  expiresAt: Date;
  memo: string | null;
  initiatedBy: string;
  /** The hold it pays, when it was made by `holdDates` with `reserveFrom`. */
  holdId: ObjectId | null;
  /** The transfer its capture wrote. */
  transferId: ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
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
  /** Set when this transfer is an authorization's capture. */
  authorizationId?: ObjectId;
}

export type AccountDocument = WithId<AccountDoc>;
export type LedgerEntryDocument = WithId<LedgerEntryDoc>;
export type TransferDocument = WithId<TransferDoc>;
export type AuthorizationDocument = WithId<AuthorizationDoc>;

export interface LedgerCollections {
  accounts: Collection<AccountDoc>;
  entries: Collection<LedgerEntryDoc>;
  transfers: Collection<TransferDoc>;
  authorizations: Collection<AuthorizationDoc>;
}

export function ledgerCollections(db: Db): LedgerCollections {
  return {
    accounts: db.collection<AccountDoc>('accounts'),
    entries: db.collection<LedgerEntryDoc>('ledgerEntries'),
    transfers: db.collection<TransferDoc>('transfers'),
    authorizations: db.collection<AuthorizationDoc>('authorizations'),
  };
}

export async function ensureLedgerIndexes({ accounts, entries, transfers, authorizations }: LedgerCollections): Promise<void> {
  await accounts.createIndex({ ownerId: 1, _id: 1 });
  // One house account per currency, however many instances create it at once.
  await accounts.createIndex(
    { currency: 1 },
    { unique: true, name: 'oneHouseAccountPerCurrency', partialFilterExpression: { ownerId: '' } },
  );
  await authorizations.createIndex({ fromAccountId: 1, _id: -1 });
  await authorizations.createIndex({ toAccountId: 1, _id: -1 });
  // A capture writes one transfer; the index makes a second transfer for one authorization impossible.
  await transfers.createIndex(
    { authorizationId: 1 },
    { unique: true, partialFilterExpression: { authorizationId: { $type: 'objectId' } } },
  );
  await entries.createIndex({ accountId: 1, _id: -1 });
  // A transfer writes exactly one debit and one credit entry; the index makes a third impossible.
  await entries.createIndex({ transferId: 1, kind: 1 }, { unique: true, partialFilterExpression: { transferId: { $type: 'objectId' } } });
  await transfers.createIndex({ fromAccountId: 1, _id: -1 });
  await transfers.createIndex({ toAccountId: 1, _id: -1 });
}
