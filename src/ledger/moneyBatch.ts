import { type AnyBulkWriteOperation, type ClientSession, ObjectId } from 'mongodb';
import { notFound } from '../errors';
import { type RecordResult, recordAll } from '../idempotency';
import { type Outcome, parseObjectId, PlanRefused } from '../mongo';
import type { UserService } from '../users';
import { balanceOverflow, creditStatement, debitStatement, entryDocument } from './balances';
import type { AccountDoc, AccountDocument, LedgerCollections, LedgerEntryDocument, TransferDocument } from './collections';
import type { TransferResult, WithdrawResult } from './results';

/** A transfer as its owner asked for it; ids as the client sent them. */
export interface TransferOrder {
  kind: 'transfer';
  /** The request's idempotency scope and key: two orders with one key never share a batch. */
  key: string;
  initiatedBy: string;
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  memo: string | null;
  /** Stores the result with the effect (the idempotency key's record). */
  record: RecordResult<TransferResult>;
}

export interface WithdrawalOrder {
  kind: 'withdrawal';
  key: string;
  initiatedBy: string;
  accountId: string;
  amount: number;
  record: RecordResult<WithdrawResult>;
}

export type Order = TransferOrder | WithdrawalOrder;
export type OrderResult = TransferResult | WithdrawResult;

/** What one order came to in the plan: a result to record with the batch, or an error (nothing written). */
type Planned = { ok: true; value: OrderResult; record: RecordResult<OrderResult> } | { ok: false; error: unknown };

/** An account as a batch sees it: read on the transaction's snapshot, then changed as each order is planned. */
export interface AccountView {
  doc: AccountDocument;
  /** Its owner is suspended (read in the same round trip). */
  ownerSuspended: boolean;
}

export interface MoneyBatchDeps {
  collections: LedgerCollections;
  users: Pick<UserService, 'suspendedLookup' | 'suspendedError'>;
  now(): Date;
  /** How a batch reads its accounts (default `readAccounts`); tests hand it a stale view to show the writes still decide. */
  read?: AccountReader;
}

export type AccountReader = (deps: MoneyBatchDeps, session: ClientSession, ids: ObjectId[]) => Promise<Map<string, AccountView>>;

const SUSPENDED = '_ownerSuspended';

/** Lock keys: an account's id in one spelling, whatever the case of the hex; anything else names no account. */
const keyOf = (id: string) => parseObjectId(id)?.toHexString() ?? `invalid:${id}`;

export const accountsOf = (order: Order): string[] =>
  order.kind === 'transfer' ? [keyOf(order.fromAccountId), keyOf(order.toAccountId)] : [keyOf(order.accountId)];

/** Every account of the batch and whether its owner is suspended: ONE aggregate, on the transaction's snapshot. */
export const readAccounts: AccountReader = async (deps, session, ids) => {
  const docs = await deps.collections.accounts
    .aggregate<AccountDocument & { [SUSPENDED]: boolean }>(
      [{ $match: { _id: { $in: ids } } }, ...deps.users.suspendedLookup('ownerId', SUSPENDED)],
      { session },
    )
    .toArray();
  return new Map(
    docs.map(({ [SUSPENDED]: ownerSuspended, ...doc }) => [doc._id.toHexString(), { doc, ownerSuspended } satisfies AccountView]),
  );
};

/**
 * One batch's transaction body, set-oriented: whatever the number of orders, it costs one read,
 * each order's key record, one `bulkWrite` of every debit and credit, and one `insertMany` of the
 * transfer records and one of the ledger entries.
 *
 * The read (accounts, owners' suspension) is on the transaction's snapshot; each order is then decided
 * in arrival order against the balances the orders before it left, exactly as a `findOneAndUpdate`
 * per order would see them. The plan never decides alone: every debit and credit is a conditional
 * statement (`debitStatement`: the funds; `creditStatement`: the 2^53 bound), and unless every one
 * applied the batch throws `PlanRefused` and nothing commits. A concurrent write to any of the
 * accounts after the snapshot is a write conflict, so the transaction retries from a fresh read.
 */
export async function moveMoney(deps: MoneyBatchDeps, session: ClientSession, orders: Order[]): Promise<Outcome<OrderResult>[]> {
  const ids = new Map<string, ObjectId>();
  for (const order of orders) {
    for (const id of order.kind === 'transfer' ? [order.fromAccountId, order.toAccountId] : [order.accountId]) {
      const _id = parseObjectId(id);
      if (_id) ids.set(_id.toHexString(), _id);
    }
  }
  const accounts = await (deps.read ?? readAccounts)(deps, session, [...ids.values()]);
  const find = (id: string) => accounts.get(keyOf(id));
  const now = deps.now();
  const statements: AnyBulkWriteOperation<AccountDoc>[] = [];
  const transfers: TransferDocument[] = [];
  const entries: LedgerEntryDocument[] = [];
  const change = (account: AccountView, amount: number) => {
    account.doc = { ...account.doc, balance: account.doc.balance + amount, version: account.doc.version + 1 };
    return account.doc;
  };
  const done = <T extends OrderResult>(value: NoInfer<T>, record: RecordResult<T>): Planned => ({
    ok: true,
    value,
    record: record as RecordResult<OrderResult>,
  });
  const refused = (error: unknown): Planned => ({ ok: false, error });

  // Checked in the order of the answers' precedence: the source, the target, the currency, the owner's suspension, the funds.
  const planTransfer = (order: TransferOrder): Planned => {
    const { amount, record } = order;
    const source = find(order.fromAccountId);
    // Someone else's source account is answered like a missing one.
    if (!source || source.doc.ownerId !== order.initiatedBy)
      return done({ __typename: 'AccountNotFound', accountId: order.fromAccountId }, record);
    const target = find(order.toAccountId);
    if (!target) return done({ __typename: 'AccountNotFound', accountId: order.toAccountId }, record);
    const currency = source.doc.currency;
    if (target.doc.currency !== currency) {
      return done({ __typename: 'CurrencyMismatch', fromCurrency: currency, toCurrency: target.doc.currency }, record);
    }
    if (source.ownerSuspended) return refused(deps.users.suspendedError());
    if (source.doc.balance < amount)
      return done({ __typename: 'InsufficientFunds', accountId: order.fromAccountId, requested: amount }, record);
    const targetBefore = target === source ? source.doc.balance - amount : target.doc.balance;
    if (targetBefore > Number.MAX_SAFE_INTEGER - amount) return refused(balanceOverflow());

    const debited = change(source, -amount);
    const credited = change(target, amount);
    statements.push(debitStatement(source.doc._id, currency, amount), creditStatement(target.doc._id, currency, amount));
    const transfer: TransferDocument = {
      _id: new ObjectId(),
      fromAccountId: source.doc._id,
      toAccountId: target.doc._id,
      amount,
      currency,
      memo: order.memo,
      initiatedBy: order.initiatedBy,
      createdAt: now,
    };
    transfers.push(transfer);
    entries.push(
      entryDocument({ account: debited, kind: 'TRANSFER_DEBIT', amount: -amount, transferId: transfer._id, now }),
      entryDocument({ account: credited, kind: 'TRANSFER_CREDIT', amount, transferId: transfer._id, now }),
    );
    return done({ __typename: 'TransferCompleted', transfer }, record);
  };

  const planWithdrawal = (order: WithdrawalOrder): Planned => {
    const { amount, record } = order;
    const account = find(order.accountId);
    if (!account || account.doc.ownerId !== order.initiatedBy) return refused(notFound('accountId', 'account'));
    if (account.ownerSuspended) return refused(deps.users.suspendedError());
    if (account.doc.balance < amount)
      return done({ __typename: 'InsufficientFunds', accountId: order.accountId, requested: amount }, record);
    const debited = change(account, -amount);
    statements.push(debitStatement(debited._id, debited.currency, amount));
    const entry = entryDocument({ account: debited, kind: 'WITHDRAWAL', amount: -amount, transferId: null, now });
    entries.push(entry);
    return done({ __typename: 'Withdrawn', account: debited, entry }, record);
  };

  const outcomes = orders.map((order) => (order.kind === 'transfer' ? planTransfer(order) : planWithdrawal(order)));

  // The keys first, in one insert: one already recorded (a retry's twin that committed first) fails
  // its order (OrderFailed) before anything else is written. The transaction is all or nothing either way.
  await recordAll(
    session,
    outcomes.map((outcome) => (outcome.ok ? { record: outcome.record, result: outcome.value } : null)),
  );
  const { collections } = deps;
  if (statements.length > 0) {
    const written = await collections.accounts.bulkWrite(statements, { session, ordered: true });
    if (written.matchedCount !== statements.length || written.modifiedCount !== statements.length) {
      throw new PlanRefused(`${statements.length - written.modifiedCount} of ${statements.length} balance changes refused`);
    }
  }
  if (transfers.length > 0) await collections.transfers.insertMany(transfers, { session });
  if (entries.length > 0) await collections.entries.insertMany(entries, { session });
  return outcomes.map((outcome) => (outcome.ok ? { ok: true, value: outcome.value } : outcome));
}
