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
import { type AuthorizeOrder, keyOf, type OrderResult, type TransferOrder, type WithdrawalOrder } from './moneyOrders';

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

  /**
   * A transfer's and an authorization's checks, in the order of the answers' precedence: the source
   * (someone else's is answered like a missing one), the target, the currency, the owner's
   * suspension, the available funds. Either the answer that refuses the order or its two accounts.
   */
  parties(order: TransferOrder | AuthorizeOrder): { refusal: Planned } | { source: AccountView; target: AccountView } {
    const { amount } = order;
    const record = order.record as RecordResult<OrderResult> | null;
    const answer = (value: OrderResult) => ({ refusal: planned(value, record) });
    const source = this.account(order.fromAccountId);
    if (!source || source.doc.ownerId !== order.initiatedBy)
      return answer({ __typename: 'AccountNotFound', accountId: order.fromAccountId });
    const target = this.account(order.toAccountId);
    if (!target) return answer({ __typename: 'AccountNotFound', accountId: order.toAccountId });
    const currency = source.doc.currency;
    if (target.doc.currency !== currency)
      return answer({ __typename: 'CurrencyMismatch', fromCurrency: currency, toCurrency: target.doc.currency });
    if (source.ownerSuspended) return { refusal: refused(this.users.suspendedError()) };
    if (availableOf(source.doc, this.now) < amount)
      return answer({ __typename: 'InsufficientFunds', accountId: order.fromAccountId, requested: amount });
    return { source, target };
  }

  transfer(order: TransferOrder): Planned {
    const checked = this.parties(order);
    if ('refusal' in checked) return checked.refusal;
    const { source, target } = checked;
    if (this.overflows(source, target, order.amount)) return refused(balanceOverflow());
    const transfer = this.moveTo(this.debit(source, order.amount), target, order.amount, order);
    return planned({ __typename: 'TransferCompleted', transfer }, order.record);
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
