import { type AnyBulkWriteOperation, type ClientSession, type Collection, type Filter, ObjectId } from 'mongodb';
import { badInput } from '../errors';
import type { AccountDoc, AccountDocument, LedgerCollections, LedgerEntryDoc, LedgerEntryDocument, LedgerEntryKind } from './collections';

/** The funds check: a debit matches only while the balance covers it (and the currency is the account's). */
const debitFilter = (accountId: ObjectId, currency: string, amount: number): Filter<AccountDoc> => ({
  _id: accountId,
  currency,
  balance: { $gte: amount },
});

/** A credit matches only while the balance stays below 2^53 - 1 (beyond which numbers stop being exact). */
const creditFilter = (accountId: ObjectId, currency: string, amount: number): Filter<AccountDoc> => ({
  _id: accountId,
  currency,
  balance: { $lte: Number.MAX_SAFE_INTEGER - amount },
});

/** A credit refused because the balance would pass 2^53 - 1: bad input, never an outcome. */
export const balanceOverflow = () => badInput('amount', 'the balance would exceed 2^53 - 1 minor units');

/** Credits, refusing a balance past 2^53 - 1 (beyond which numbers stop being exact). */
export async function credit(
  accounts: Collection<AccountDoc>,
  session: ClientSession,
  accountId: ObjectId,
  currency: string,
  amount: number,
): Promise<AccountDocument | null> {
  const credited = await accounts.findOneAndUpdate(
    creditFilter(accountId, currency, amount),
    { $inc: { balance: amount, version: 1 } },
    { session, returnDocument: 'after' },
  );
  if (!credited && (await accounts.countDocuments({ _id: accountId, currency }, { session, limit: 1 })) === 1) {
    throw balanceOverflow();
  }
  return credited;
}

/**
 * The only way a balance goes down: ONE update whose filter is the precondition (`balance >= amount`,
 * and the currency). Two debits can never both spend the same funds, because the second one's filter
 * is evaluated against the first one's result; one that does not match changes nothing. Run as a
 * statement of a batch's ordered `bulkWrite` (moneyBatch.ts), each statement against the ones before it.
 */
export const debitStatement = (accountId: ObjectId, currency: string, amount: number): AnyBulkWriteOperation<AccountDoc> => ({
  updateOne: { filter: debitFilter(accountId, currency, amount), update: { $inc: { balance: -amount, version: 1 } } },
});

/** `credit` as a batch's statement: the same filter decides. */
export const creditStatement = (accountId: ObjectId, currency: string, amount: number): AnyBulkWriteOperation<AccountDoc> => ({
  updateOne: { filter: creditFilter(accountId, currency, amount), update: { $inc: { balance: amount, version: 1 } } },
});

/**
 * The deposit path: credit and its DEPOSIT entry, inside the caller's transaction. Used by the
 * admin `deposit` mutation and by paid Stripe top-ups.
 */
export async function recordDeposit(
  collections: LedgerCollections,
  session: ClientSession,
  account: Pick<AccountDocument, '_id' | 'currency'>,
  amount: number,
  now: Date,
): Promise<{ account: AccountDocument; entry: LedgerEntryDocument }> {
  const credited = await credit(collections.accounts, session, account._id, account.currency, amount);
  if (!credited) throw new Error(`account ${account._id} vanished during a deposit`);
  const [entry] = await appendEntries(collections.entries, session, [
    { account: credited, kind: 'DEPOSIT', amount, transferId: null, now },
  ]);
  return { account: credited, entry };
}

export interface NewEntry {
  /** The account as it is right after this change, so the entry can record the balance it left. */
  account: AccountDocument;
  kind: LedgerEntryKind;
  amount: number;
  transferId: ObjectId | null;
  now: Date;
}

export const entryDocument = ({ account, kind, amount, transferId, now }: NewEntry): LedgerEntryDocument => ({
  _id: new ObjectId(),
  accountId: account._id,
  kind,
  amount,
  balanceAfter: account.balance,
  transferId,
  createdAt: now,
});

export async function appendEntries(
  entries: Collection<LedgerEntryDoc>,
  session: ClientSession,
  items: NewEntry[],
): Promise<LedgerEntryDocument[]> {
  const docs = items.map(entryDocument);
  await entries.insertMany(docs, { session });
  return docs;
}
