import { type ClientSession, type Collection, type MongoClient, ObjectId } from 'mongodb';
import { assert } from '../assert';
import type { Caller } from '../auth';
import type { ClaimSteps } from '../capacity';
import type { Clock } from '../clock';
import type { RunIdempotent } from '../idempotency';
import type {
  AccountDocument,
  AccountNotFoundResult,
  CaptureOrder,
  CurrencyMismatchResult,
  InsufficientFundsResult,
  Ledger,
  Order,
  CaptureResult,
  TransferDocument,
  TransferOrder,
  TransferResult,
} from '../ledger';
import { findAgain, findById, Rollback, withTransaction } from '../mongo';
import type { BookingDoc, BookingDocument, HoldDoc, HoldDocument } from './collections';
import { liveHoldFilter } from './holdLiveness';

export interface HoldExpiredResult {
  __typename: 'HoldExpired';
  hold: HoldDocument;
}

export interface HoldNotFoundResult {
  __typename: 'HoldNotFound';
  holdId: string;
}

export interface BookingConfirmedResult {
  __typename: 'BookingConfirmed';
  booking: BookingDocument;
  transfer: TransferDocument;
}

export type PayHoldResult =
  | BookingConfirmedResult
  | InsufficientFundsResult
  | HoldExpiredResult
  | HoldNotFoundResult
  | CurrencyMismatchResult
  | AccountNotFoundResult;

export interface PayHoldInput {
  holdId: string;
  accountId: string;
  idempotencyKey: string;
}

export interface BalancePaymentDeps {
  client: MongoClient;
  holds: Collection<HoldDoc>;
  bookings: Collection<BookingDoc>;
  claims: ClaimSteps;
  ledger: Pick<Ledger, 'accounts' | 'moveMoneyWithin'>;
  runIdempotent: RunIdempotent;
  clock: Clock;
  /** After a hold is paid: its open Checkout Session must not take a payment any more. Must not throw. */
  afterPaid?: (hold: HoldDocument) => Promise<void>;
}

/**
 * The money of a payment from `account`: the capture of the hold's own authorization when it was
 * held from this account; else a transfer conditional on available funds (and, when the hold's money
 * was held from another account, the void of that authorization in the same step).
 */
function paymentOrders(hold: HoldDocument, account: AccountDocument, house: AccountDocument, initiatedBy: string): Order[] {
  const key = `payHold:${hold._id.toHexString()}`;
  const reservation = hold.reservation;
  const accounts = [account._id.toHexString(), house._id.toHexString()];
  if (reservation?.accountId.equals(account._id)) {
    const capture: CaptureOrder = {
      kind: 'capture',
      key,
      initiatedBy,
      authorizationId: reservation.authorizationId.toHexString(),
      accounts,
      amount: null,
      record: null,
    };
    return [capture];
  }
  const transfer: TransferOrder = {
    kind: 'transfer',
    key,
    initiatedBy,
    fromAccountId: accounts[0],
    toAccountId: accounts[1],
    amount: hold.amount,
    memo: `hold ${hold._id.toHexString()}`,
    record: null,
  };
  if (!reservation) return [transfer];
  const accountsHeld = [reservation.accountId.toHexString(), reservation.houseAccountId.toHexString()];
  return [
    transfer,
    { kind: 'void', key, initiatedBy, authorizationId: reservation.authorizationId.toHexString(), accounts: accountsHeld, record: null },
  ];
}

/** A confirmed booking paid from a balance, recorded with the transfer that paid it. */
function balanceBooking(hold: HoldDocument, account: AccountDocument, transfer: TransferDocument, now: Date): BookingDocument {
  return {
    _id: new ObjectId(),
    holdId: hold._id,
    paymentMethod: 'BALANCE',
    checkoutSessionId: null,
    paymentIntentId: null,
    accountId: account._id,
    transferId: transfer._id,
    userId: hold.userId,
    resourceId: hold.resourceId,
    dates: hold.dates,
    amount: hold.amount,
    currency: hold.currency,
    status: 'CONFIRMED',
    createdAt: now,
    updatedAt: now,
  };
}

/** Holds paid from a balance: dates, money and booking in one transaction. */
export function balancePayments(deps: BalancePaymentDeps) {
  const { client, holds, bookings, claims, ledger, clock } = deps;

  /**
   * ONE transaction: the hold goes held → confirmed only while it is live (a conditional update,
   * which also makes concurrent payments of one hold conflict: one wins, the others find it
   * confirmed), its claims are marked booked, the money moves to the house account (`paymentOrders`:
   * conditional on available funds, or the capture of the hold's own authorization), and the
   * booking is inserted with the key's result. Any refusal rolls every step back.
   */
  async function pay(
    caller: Caller,
    hold: HoldDocument,
    account: AccountDocument,
    record: (s: ClientSession, r: PayHoldResult) => Promise<void>,
  ) {
    const house = await ledger.accounts.houseAccount(account.currency);
    return withTransaction(client, async (session): Promise<PayHoldResult> => {
      const now = clock.now();
      const bookingId = new ObjectId();
      const confirmed = await holds.findOneAndUpdate(
        { _id: hold._id, ...liveHoldFilter(now) },
        { $set: { state: 'confirmed', bookingId, updatedAt: now } },
        { session, returnDocument: 'before' },
      );
      if (!confirmed) return { __typename: 'HoldExpired', hold: await findAgain(holds, hold._id, session) };
      if (confirmed.currency !== account.currency) {
        throw new Rollback<PayHoldResult>({
          __typename: 'CurrencyMismatch',
          fromCurrency: account.currency,
          toCurrency: confirmed.currency,
        });
      }
      for (const date of confirmed.dates) {
        // The hold is live in this transaction, so its claims are its own still.
        assert(
          await claims.markBooked(session, confirmed.resourceId, date, confirmed._id),
          `live hold ${confirmed._id.toHexString()} claims ${date}`,
        );
      }
      const paid = await movePayment(ledger, session, paymentOrders(confirmed, account, house, caller.id));
      if (paid.__typename !== 'TransferCompleted') throw new Rollback<PayHoldResult>(paid);
      const booking = { ...balanceBooking(confirmed, account, paid.transfer, now), _id: bookingId };
      await bookings.insertOne(booking, { session });
      const result: PayHoldResult = { __typename: 'BookingConfirmed', booking, transfer: paid.transfer };
      await record(session, result);
      return result;
    });
  }

  return {
    payHold(caller: Caller, input: PayHoldInput): Promise<PayHoldResult> {
      const request = {
        scope: `${caller.id}:payHold`,
        key: input.idempotencyKey,
        input: { holdId: input.holdId, accountId: input.accountId },
        // Its whole effect is one transaction, which records the key too (README G3).
        keyWithEffect: true,
      };
      return deps.runIdempotent<PayHoldResult>(request, async (record) => {
        const hold = await findById(holds, input.holdId);
        // Someone else's hold or account is answered like a missing one (G12).
        if (!hold || hold.userId !== caller.id) return { __typename: 'HoldNotFound', holdId: input.holdId };
        const account = await ledger.accounts.findOwned(caller, input.accountId);
        if (!account) return { __typename: 'AccountNotFound', accountId: input.accountId };
        const result = await pay(caller, hold, account, record);
        if (result.__typename === 'BookingConfirmed') await deps.afterPaid?.(hold);
        return result;
      });
    },
  };
}

/** Runs the payment's money steps; the first one's answer is the payment's: its transfer, or why nothing moved. */
async function movePayment(ledger: BalancePaymentDeps['ledger'], session: ClientSession, orders: Order[]) {
  const outcomes = await ledger.moveMoneyWithin(session, orders);
  for (const outcome of outcomes) if (!outcome.ok) throw outcome.error;
  const [first] = outcomes;
  assert(first.ok, 'the payment step succeeded');
  const result = first.value as TransferResult | CaptureResult;
  if (result.__typename === 'TransferCompleted' || result.__typename === 'InsufficientFunds' || result.__typename === 'CurrencyMismatch') {
    return result;
  }
  // The hold is live in this transaction, and so are its account and its authorization (same expiry, same instant).
  throw new Error(`a live hold's payment answered ${result.__typename}`);
}
