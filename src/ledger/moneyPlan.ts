import { type AnyBulkWriteOperation, ObjectId } from 'mongodb';
import { notFound } from '../errors';
import type { RecordResult } from '../idempotency';
import type { UserService } from '../users';
import { balanceOverflow, creditStatement, entryDocument } from './balances';
import type {
  AccountDoc,
  AccountDocument,
  AuthorizationDoc,
  AuthorizationDocument,
  LedgerEntryDocument,
  LedgerEntryKind,
  TransferDocument,
} from './collections';
import { availableOf, fundsFilter } from './funds';
import { keyOf, type OrderResult, type TransferOrder, type WithdrawalOrder } from './moneyOrders';

/** An account as a batch sees it: read on the transaction's snapshot, then changed as each order is planned. */
export interface AccountView {
  doc: AccountDocument;
  /** Its owner is suspended (read in the same round trip). */
  ownerSuspended: boolean;
}

/** What one order came to in the plan: a result to record with the batch, or an error (nothing written). */
export type Planned = { ok: true; value: OrderResult; record: RecordResult<OrderResult> | null } | { ok: false; error: unknown };

export const planned = <T extends OrderResult>(value: NoInfer<T>, record: RecordResult<T> | null): Planned => ({
  ok: true,
  value,
  record: record as RecordResult<OrderResult> | null,
});

export const refused = (error: unknown): Planned => ({ ok: false, error });

/**
 * A batch's plan: the accounts and authorizations it read, as the orders planned so far left them,
 * and every write the orders planned so far need. Each order is decided against what the ones
 * before it left, exactly as a conditional update per order would see it; every write is still
 * conditional, so the plan never decides alone (moneyBatch.ts).
 */
export class MoneyPlan {
  readonly accountWrites: AnyBulkWriteOperation<AccountDoc>[] = [];
  readonly authorizationWrites: AnyBulkWriteOperation<AuthorizationDoc>[] = [];
  readonly transfers: TransferDocument[] = [];
  readonly entries: LedgerEntryDocument[] = [];

  constructor(
    readonly now: Date,
    private readonly accounts: Map<string, AccountView>,
    private readonly authorizations: Map<string, AuthorizationDocument>,
    readonly users: Pick<UserService, 'suspendedError'>,
  ) {}

  account = (id: string): AccountView | undefined => this.accounts.get(keyOf(id));

  authorization = (id: string): AuthorizationDocument | undefined => this.authorizations.get(keyOf(id));

  /** The authorization as the orders before left it. */
  setAuthorization(doc: AuthorizationDocument): void {
    this.authorizations.set(doc._id.toHexString(), doc);
  }

  /** Applies a change to the view of an account (what the account's statement will do) and returns it. */
  change(view: AccountView, update: Partial<AccountDoc>, balanceDelta = 0): AccountDocument {
    view.doc = { ...view.doc, ...update, balance: view.doc.balance + balanceDelta, version: view.doc.version + 1 };
    return view.doc;
  }

  /** One entry of a transfer's or a movement's pair; the account as the change left it. */
  entry(account: AccountDocument, kind: LedgerEntryKind, amount: number, transferId: ObjectId | null): LedgerEntryDocument {
    const entry = entryDocument({ account, kind, amount, transferId, now: this.now });
    this.entries.push(entry);
    return entry;
  }

  /** Moves `amount` from source to target: the target's credit, the transfer and both entries (the source's debit is the caller's). */
  moveTo(source: AccountDocument, target: AccountView, amount: number, order: { memo: string | null; initiatedBy: string }) {
    this.accountWrites.push(creditStatement(target.doc._id, target.doc.currency, amount));
    const credited = this.change(target, {}, amount);
    const transfer: TransferDocument = {
      _id: new ObjectId(),
      fromAccountId: source._id,
      toAccountId: credited._id,
      amount,
      currency: source.currency,
      memo: order.memo,
      initiatedBy: order.initiatedBy,
      createdAt: this.now,
    };
    this.transfers.push(transfer);
    this.entry(source, 'TRANSFER_DEBIT', -amount, transfer._id);
    this.entry(credited, 'TRANSFER_CREDIT', amount, transfer._id);
    return transfer;
  }

  /** The balance the target would reach, checked before anything is planned: past 2^53 - 1 it is bad input. */
  overflows(source: AccountView, target: AccountView, amount: number): boolean {
    const targetBefore = target === source ? source.doc.balance - amount : target.doc.balance;
    return targetBefore > Number.MAX_SAFE_INTEGER - amount;
  }

  /** The funds check's statement and the view's change: the debit of available funds. */
  debit(view: AccountView, amount: number): AccountDocument {
    this.accountWrites.push({
      updateOne: {
        filter: fundsFilter(view.doc._id, view.doc.currency, amount, this.now),
        update: { $inc: { balance: -amount, version: 1 } },
      },
    });
    return this.change(view, {}, -amount);
  }

  // Checked in the order of the answers' precedence: the source, the target, the currency, the owner's suspension, the funds.
  transfer(order: TransferOrder): Planned {
    const { amount, record } = order;
    const source = this.account(order.fromAccountId);
    // Someone else's source account is answered like a missing one.
    if (!source || source.doc.ownerId !== order.initiatedBy)
      return planned({ __typename: 'AccountNotFound', accountId: order.fromAccountId }, record);
    const target = this.account(order.toAccountId);
    if (!target) return planned({ __typename: 'AccountNotFound', accountId: order.toAccountId }, record);
    const currency = source.doc.currency;
    if (target.doc.currency !== currency) {
      return planned({ __typename: 'CurrencyMismatch', fromCurrency: currency, toCurrency: target.doc.currency }, record);
    }
    if (source.ownerSuspended) return refused(this.users.suspendedError());
    if (availableOf(source.doc, this.now) < amount)
      return planned({ __typename: 'InsufficientFunds', accountId: order.fromAccountId, requested: amount }, record);
    if (this.overflows(source, target, amount)) return refused(balanceOverflow());
    const transfer = this.moveTo(this.debit(source, amount), target, amount, order);
    return planned({ __typename: 'TransferCompleted', transfer }, record);
  }

  withdrawal(order: WithdrawalOrder): Planned {
    const { amount, record } = order;
    const account = this.account(order.accountId);
    if (!account || account.doc.ownerId !== order.initiatedBy) return refused(notFound('accountId', 'account'));
    if (account.ownerSuspended) return refused(this.users.suspendedError());
    if (availableOf(account.doc, this.now) < amount)
      return planned({ __typename: 'InsufficientFunds', accountId: order.accountId, requested: amount }, record);
    const debited = this.debit(account, amount);
    const entry = this.entry(debited, 'WITHDRAWAL', -amount, null);
    return planned({ __typename: 'Withdrawn', account: debited, entry }, record);
  }
}
