import type { Db, WithId } from 'mongodb';
import type { BookingDoc } from '../src/bookings';
import type { RefundDoc } from '../src/payments';
import { liveClaimsOf } from '../src/capacity';
import type { DateSlotDoc } from '../src/capacity';
import type { HoldDoc } from '../src/bookings';
import type { History } from './history';
import type { Webhooks } from './webhooks';

export interface BookingFigures {
  slots: number;
  bookings: Record<string, number>;
  paidSessions: number;
  refundsDone: number;
  refundsPendingLeased: number;
}

/**
 * Capacity (every slot's live and booked claims, every date's confirmed bookings), one booking per
 * paid session, every paid hold booked or refunded (refund recorded and sent), no booking that
 * nobody paid for, and booked claims and confirmed bookings agreeing with each other.
 */
export async function checkBookings(db: Db, history: History, webhooks: Webhooks, violations: string[]): Promise<BookingFigures> {
  const now = new Date();
  const slots = await db.collection<DateSlotDoc>('dateSlots').find().toArray();
  const bookings = await db.collection<BookingDoc>('bookings').find().toArray();
  const refunds = new Map((await db.collection<RefundDoc>('refunds').find().toArray()).map((r) => [r._id.toHexString(), r]));
  const holds = await db.collection<HoldDoc>('holds').find().toArray();
  const figures: BookingFigures = { slots: slots.length, bookings: {}, paidSessions: 0, refundsDone: 0, refundsPendingLeased: 0 };

  const capacityOf = new Map<string, number>();
  const bookedClaims = new Set<string>();
  for (const slot of slots) {
    const where = `${slot.resourceId}/${slot.date}`;
    capacityOf.set(where, slot.capacity);
    const live = liveClaimsOf(slot, now).length;
    const booked = slot.claims.filter((c) => c.state === 'booked');
    if (live > slot.capacity) violations.push(`slot ${where} has ${live} live claims over capacity ${slot.capacity}`);
    if (booked.length > slot.capacity) violations.push(`slot ${where} has ${booked.length} booked claims over capacity ${slot.capacity}`);
    for (const claim of booked) bookedClaims.add(`${where}/${claim.holdId}`);
  }

  const confirmedPerDate = new Map<string, number>();
  const confirmedPerHold = new Map<string, number>();
  const perSession = new Map<string, WithId<BookingDoc>[]>();
  for (const booking of bookings) {
    figures.bookings[booking.status] = (figures.bookings[booking.status] ?? 0) + 1;
    const sessionId = booking.checkoutSessionId;
    if (sessionId) perSession.set(sessionId, [...(perSession.get(sessionId) ?? []), booking]);
    if (booking.status !== 'CONFIRMED') continue;
    confirmedPerHold.set(String(booking.holdId), (confirmedPerHold.get(String(booking.holdId)) ?? 0) + 1);
    for (const date of booking.dates) {
      const where = `${booking.resourceId}/${date}`;
      confirmedPerDate.set(where, (confirmedPerDate.get(where) ?? 0) + 1);
      if (!bookedClaims.has(`${where}/${booking.holdId}`))
        violations.push(`confirmed booking of hold ${booking.holdId} has no booked claim on ${where}`);
      bookedClaims.delete(`${where}/${booking.holdId}`);
    }
  }
  for (const [where, count] of confirmedPerDate) {
    if (count > (capacityOf.get(where) ?? 0))
      violations.push(`${where} has ${count} CONFIRMED bookings over capacity ${capacityOf.get(where)}`);
  }
  for (const orphan of bookedClaims) violations.push(`booked claim ${orphan} belongs to no CONFIRMED booking`);
  for (const [hold, count] of confirmedPerHold) if (count > 1) violations.push(`hold ${hold} has ${count} CONFIRMED bookings`);

  const paid = webhooks.paidSessions();
  for (const [sessionId, found] of perSession) {
    if (found.length > 1) violations.push(`session ${sessionId} has ${found.length} bookings`);
    if (!paid.has(sessionId)) violations.push(`booking ${found[0]._id} (${found[0].status}) for session ${sessionId} that was never paid`);
  }
  for (const [sessionId, event] of paid) {
    if (!event.acked) continue;
    figures.paidSessions += 1;
    const booking = perSession.get(sessionId)?.[0];
    if (!booking) {
      violations.push(`paid session ${sessionId} (hold ${event.holdId}, event acknowledged) has no booking`);
      continue;
    }
    if (booking.status === 'CONFIRMED' || booking.status === 'PENDING_PAYMENT') continue;
    const refund = refunds.get(booking._id.toHexString());
    if (!refund) violations.push(`${booking.status} booking ${booking._id} of paid session ${sessionId} has no refund recorded`);
    else if (refund.state === 'done') figures.refundsDone += 1;
    else if (refund.leaseUntil && refund.leaseUntil > now) figures.refundsPendingLeased += 1;
    else
      violations.push(
        `${booking.status} booking ${booking._id} refund still ${refund.state} after redelivery (${refund.lastError ?? 'no error'})`,
      );
  }
  for (const op of history.byKind('cancelBooking')) {
    const answer = op.data?.cancelBooking;
    if (op.outcome === 'ok' && answer?.__typename === 'BookingCancelled') {
      const booking = bookings.find((b) => String(b._id) === answer.booking.id);
      if (booking?.status !== 'CANCELLED')
        violations.push(`cancelBooking #${op.id} acknowledged but booking ${answer.booking.id} is ${booking?.status}`);
    }
  }
  for (const hold of holds) {
    if (hold.state !== 'confirmed') continue;
    const booking = bookings.find((b) => String(b.holdId) === String(hold._id) && (b.status === 'CONFIRMED' || b.status === 'CANCELLED'));
    if (!booking) violations.push(`hold ${hold._id} is confirmed without a CONFIRMED or CANCELLED booking`);
  }
  return figures;
}
