import { type ClientSession, type Collection, ObjectId } from 'mongodb';
import { badInput } from '../errors';
import type { AccountDoc, AccountDocument, LedgerCollections, LedgerEntryDoc, LedgerEntryDocument, LedgerEntryKind } from './collections';

/**
 * Debits in ONE `findOneAndUpdate` whose filter is the precondition (`balance >= amount`, and the
 * currency): two concurrent debits can never both spend the same funds, because the second one's
 * filter is evaluated against the first one's result. Returns null when the precondition fails.
 */
export function debitIfFunds(
  accounts: Collection<AccountDoc>,
  session: ClientSession,
  accountId: ObjectId,
  currency: string,
  amount: number,
): Promise<AccountDocument | null> {
  return accounts.findOneAndUpdate(
    { _id: accountId, currency, balance: { $gte: amount } },
    { $inc: { balance: -amount, version: 1 } },
    { session, returnDocument: 'after' },
  );
}

/** Credits, refusing a balance past 2^53 - 1 (beyond which numbers stop being exact). */
export async function credit(
  accounts: Collection<AccountDoc>,
  session: ClientSession,
  accountId: ObjectId,
  currency: string,
  amount: number,
): Promise<AccountDocument | null> {
  const credited = await accounts.findOneAndUpdate(
    { _id: accountId, currency, balance: { $lte: Number.MAX_SAFE_INTEGER - amount } },
    { $inc: { balance: amount, version: 1 } },
    { session, returnDocument: 'after' },
  );
  if (!credited && (await accounts.countDocuments({ _id: accountId, currency }, { session, limit: 1 })) === 1) {
    throw badInput('amount', 'the balance would exceed 2^53 - 1 minor units');
  }
  return credited;
}

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

export async function appendEntries(
  entries: Collection<LedgerEntryDoc>,
  session: ClientSession,
  items: NewEntry[],
): Promise<LedgerEntryDocument[]> {
  const docs: LedgerEntryDocument[] = items.map(({ account, kind, amount, transferId, now }) => ({
    _id: new ObjectId(),
    accountId: account._id,
    kind,
    amount,
    balanceAfter: account.balance,
    transferId,
    createdAt: now,
  }));
  await entries.insertMany(docs, { session });
  return docs;
}
