import type { ClientSession, Collection, MongoClient, ObjectId } from 'mongodb';
import type { Caller } from '../auth';
import { visibleTo } from '../auth';
import type { Clock } from '../clock';
import type { ClaimSteps } from '../capacity';
import type { RunIdempotent } from '../idempotency';
import { findAgain, findById } from '../mongo';
import { type Page, type PageArgs, pageById } from '../mongo';
import { withTransaction } from '../mongo';
import type { BookingDoc, BookingDocument } from './collections';
import { assert } from '../assert';
import { HOUSE_OWNER, type TransferResult } from '../ledger';
import type { MoneySteps } from './heldMoney';

export interface BookingCancelledResult {
  __typename: 'BookingCancelled';
  booking: BookingDocument;
}

export interface BookingNotCancellableResult {
  __typename: 'BookingNotCancellable';
  booking: BookingDocument;
}

export interface BookingNotFoundResult {
  __typename: 'BookingNotFound';
  bookingId: string;
}

export type CancelBookingResult = BookingCancelledResult | BookingNotCancellableResult | BookingNotFoundResult;

export interface CancelBookingInput {
  bookingId: string;
  idempotencyKey: string;
}

/**
 * What a cancellation needs from whoever refunds payments (the payments module, wired in at the
 * composition root, so bookings never import payments).
 */
export interface RefundPort {
  /** Records a full refund of the booking's payment, inside the cancellation's transaction. */
  record(session: ClientSession, bookingId: ObjectId, paymentIntentId: string): Promise<void>;
  /** Sends a recorded refund after commit if it is still pending; failures are logged and it stays pending. */
  sendIfPending(bookingId: ObjectId): Promise<void>;
}

export interface BookingServiceDeps {
  client: MongoClient;
  bookings: Collection<BookingDoc>;
  claims: ClaimSteps;
  runIdempotent: RunIdempotent;
  clock: Clock;
  /** Card refunds (payments). */
  refunds: RefundPort;
  /** Balance refunds: the money steps, in the cancellation's transaction. */
  ledger: MoneySteps;
}

/** Returns a balance-paid booking's money from the house account, inside the cancellation's transaction; the booking as it then stands. */
async function refundFromHouse(
  ledger: MoneySteps,
  bookings: Collection<BookingDoc>,
  session: ClientSession,
  booking: BookingDocument,
): Promise<BookingDocument> {
  const { accountId } = booking;
  assert(accountId, `balance booking ${booking._id.toHexString()} names the account that paid`);
  const payment = await ledger.moveMoneyWithin(session, [
    {
      kind: 'transfer',
      key: `refund:${booking._id.toHexString()}`,
      initiatedBy: HOUSE_OWNER,
      // The house received this amount by the booking's own transfer; nothing else debits a house account.
      fromAccountId: (await ledger.accounts.houseAccount(booking.currency))._id.toHexString(),
      toAccountId: accountId.toHexString(),
      amount: booking.amount,
      memo: `refund of booking ${booking._id.toHexString()}`,
      record: null,
    },
  ]);
  const [outcome] = payment;
  if (!outcome.ok) throw outcome.error;
  const result = outcome.value as TransferResult;
  if (result.__typename !== 'TransferCompleted')
    throw new Error(`the refund of booking ${booking._id.toHexString()} answered ${result.__typename}`);
  const refunded = await bookings.findOneAndUpdate(
    { _id: booking._id },
    { $set: { refundTransferId: result.transfer._id } },
    { session, returnDocument: 'after' },
  );
  assert(refunded, `booking ${booking._id.toHexString()} is still there`);
  return refunded;
}

/** Bookings as their owners see them, and cancellation with a full refund. */
export function bookingService({ client, bookings, claims, runIdempotent, clock, refunds, ledger }: BookingServiceDeps) {
  async function findFor(caller: Caller, bookingId: string): Promise<BookingDocument | null> {
    return visibleTo(caller, await findById(bookings, bookingId), (booking) => booking.userId);
  }

  /**
   * CONFIRMED → CANCELLED and the dates' claims pulled, in one transaction with the refund record;
   * the refund is sent to Stripe after commit. Cancelling again answers the cancelled booking and
   * retries its refund if it is still pending.
   */
  async function cancel(
    caller: Caller,
    bookingId: string,
    record: (s: ClientSession, r: CancelBookingResult) => Promise<void>,
  ): Promise<CancelBookingResult> {
    const booking = await findFor(caller, bookingId);
    if (!booking) return { __typename: 'BookingNotFound', bookingId };
    const cancelled = await withTransaction(client, async (session) => {
      const now = clock.now();
      const updated = await bookings.findOneAndUpdate(
        { _id: booking._id, status: 'CONFIRMED' },
        { $set: { status: 'CANCELLED', updatedAt: now } },
        { session, returnDocument: 'after' },
      );
      if (!updated) return null;
      await claims.release(session, updated.resourceId, updated.dates, updated.holdId);
      if (updated.paymentIntentId) await refunds.record(session, updated._id, updated.paymentIntentId);
      const cancelledBooking = updated.paymentMethod === 'BALANCE' ? await refundFromHouse(ledger, bookings, session, updated) : updated;
      const result: CancelBookingResult = { __typename: 'BookingCancelled', booking: cancelledBooking };
      await record(session, result);
      return result;
    });
    const current = cancelled?.booking ?? (await findAgain(bookings, booking._id));
    if (current.status !== 'CANCELLED') return { __typename: 'BookingNotCancellable', booking: current };
    await refunds.sendIfPending(current._id);
    // A first cancellation answers what it recorded (a replay of its key answers the same); a later one shows the refund's progress.
    return cancelled ?? { __typename: 'BookingCancelled', booking: await findAgain(bookings, booking._id) };
  }

  return {
    findBooking: findFor,

    /** Newest first. */
    listBookings(userId: string, page: PageArgs): Promise<Page<BookingDocument>> {
      return pageById(bookings, { userId }, page);
    },

    cancelBooking(caller: Caller, input: CancelBookingInput): Promise<CancelBookingResult> {
      return runIdempotent<CancelBookingResult>(
        { scope: `${caller.id}:cancelBooking`, key: input.idempotencyKey, input: { bookingId: input.bookingId } },
        (record) => cancel(caller, input.bookingId, record),
      );
    },
  };
}
