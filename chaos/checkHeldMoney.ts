import type { Db } from 'mongodb';
import type { BookingDoc } from '../src/bookings';
import type { AuthorizationDocument, TransferDoc } from '../src/ledger';
import type { History } from './history';

export interface HeldMoneyFigures {
  authorizations: Record<string, number>;
  captured: number;
  balanceBookings: Record<string, number>;
}

/**
 * Money held and paid: every capture transfer belongs to a capture request of its authorization
 * (or to a hold's payment) and moved at most the authorized amount, once (ledgerCheck proves one
 * transfer per captured authorization, `reserved` = the live authorizations and available ≥ 0);
 * every acknowledged `payHold` is exactly one BALANCE booking with its transfer of the booking's
 * amount; every balance booking comes from an attempted `payHold`; a cancelled one was refunded in full.
 */
export async function checkHeldMoney(db: Db, history: History, violations: string[], now: Date): Promise<HeldMoneyFigures> {
  const authorizations = await db.collection<AuthorizationDocument>('authorizations').find().toArray();
  const transfers = await db.collection<TransferDoc & { _id: unknown }>('transfers').find().toArray();
  const transferById = new Map(transfers.map((t) => [String(t._id), t]));
  const figures: HeldMoneyFigures = { authorizations: {}, captured: 0, balanceBookings: {} };
  const attemptedCaptures = new Set(
    history.byKind('captureTransfer').map((op) => (op.variables.input as { authorizationId: string }).authorizationId),
  );
  for (const a of authorizations) {
    const status = a.status === 'ACTIVE' && a.expiresAt <= now ? 'EXPIRED' : a.status;
    figures.authorizations[status] = (figures.authorizations[status] ?? 0) + 1;
    if (a.status !== 'CAPTURED') continue;
    figures.captured += 1;
    const transfer = a.transferId ? transferById.get(String(a.transferId)) : undefined;
    if (!transfer || transfer.amount !== a.capturedAmount || a.capturedAmount > a.amount) {
      violations.push(
        `authorization ${a._id} captured ${a.capturedAmount} of ${a.amount} by ${transfer ? transfer.amount : 'no transfer'}`,
      );
    }
    if (!a.holdId && !attemptedCaptures.has(a._id.toHexString()))
      violations.push(`authorization ${a._id} captured with no capture request`);
  }
  for (const op of history.byKind('captureTransfer')) {
    const payload = op.data?.captureTransfer;
    if (op.outcome !== 'ok' || payload?.__typename !== 'TransferCompleted') continue;
    const transfer = transferById.get(payload.transfer.id);
    if (!transfer || String(transfer.authorizationId) !== (op.variables.input as { authorizationId: string }).authorizationId) {
      violations.push(`capture #${op.id} was acknowledged as ${payload.transfer.id}, which is not its authorization's transfer`);
    }
  }

  const bookings = await db.collection<BookingDoc>('bookings').find({ paymentMethod: 'BALANCE' }).toArray();
  const attemptedPayments = new Set(history.byKind('payHold').map((op) => (op.variables.input as { holdId: string }).holdId));
  const byHold = new Map<string, typeof bookings>();
  for (const booking of bookings) {
    figures.balanceBookings[booking.status] = (figures.balanceBookings[booking.status] ?? 0) + 1;
    const holdId = booking.holdId.toHexString();
    byHold.set(holdId, [...(byHold.get(holdId) ?? []), booking]);
    if (!attemptedPayments.has(holdId)) violations.push(`balance booking ${booking._id} of hold ${holdId} matches no payHold`);
    const paid = booking.transferId ? transferById.get(String(booking.transferId)) : undefined;
    if (!paid || paid.amount !== booking.amount) violations.push(`balance booking ${booking._id} has no transfer of its amount`);
    if (booking.status === 'CANCELLED') {
      const refund = booking.refundTransferId ? transferById.get(String(booking.refundTransferId)) : undefined;
      if (!refund || refund.amount !== booking.amount) violations.push(`cancelled balance booking ${booking._id} was not refunded in full`);
    } else if (booking.status !== 'CONFIRMED') {
      violations.push(`balance booking ${booking._id} is ${booking.status}`);
    }
  }
  for (const op of history.byKind('payHold')) {
    const payload = op.data?.payHold;
    if (op.outcome !== 'ok' || payload?.__typename !== 'BookingConfirmed') continue;
    const found = byHold.get(payload.booking.holdId) ?? [];
    if (found.length !== 1 || found[0]._id.toHexString() !== payload.booking.id) {
      violations.push(
        `payHold #${op.id} was acknowledged as booking ${payload.booking.id}; the database has ${found.length} balance bookings of its hold`,
      );
    }
  }
  return figures;
}
