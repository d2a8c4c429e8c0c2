import type { Db, WithId } from 'mongodb';
import type { BookingDoc } from '../src/bookings';
import type { CardAuthorizationDoc, RefundDoc } from '../src/payments';
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
  capturesDone: number;
  voidsDone: number;
  /** Refunds, captures and voids still pending under the lease of a sender that was killed (its lease not yet over). */
  pendingLeased: number;
}

type StripeCall = Pick<RefundDoc | CardAuthorizationDoc, 'state' | 'leaseUntil' | 'lastError'>;

/**
 * What Stripe must have been told about a paid session's booking (G15, G16): a kept card
 * authorization captured, a lost one voided (or its capture refused, the booking VOIDED), a
 * cancelled booking refunded, or voided when its capture had not started.
 */
function expectedCalls(booking: WithId<BookingDoc>, refund: StripeCall | undefined, authorization: CardAuthorizationDoc | undefined) {
  switch (booking.status) {
    case 'CONFIRMED':
      return authorization?.action === 'capture' ? [authorization] : null;
    case 'VOIDED':
      return authorization && (authorization.action === 'void' || authorization.state === 'refused') ? [authorization] : null;
    case 'CANCELLED':
      if (authorization?.action === 'void') return refund ? null : [authorization];
      // Charged: refunded, after its capture (a card authorization) or at once (a session charged at once).
      if (!refund) return null;
      return authorization ? (authorization.action === 'capture' ? [authorization, refund] : null) : [refund];
    case 'REFUNDED':
      return refund && !authorization ? [refund] : null;
    default:
      return [];
  }
}

/**
 * Capacity (every slot's live and booked claims, every date's confirmed bookings), one booking per
 * paid session, every paid hold's card authorization captured or voided and every cancelled one
 * refunded (recorded and sent), no booking that
 * nobody paid for, and booked claims and confirmed bookings agreeing with each other.
 */
export async function checkBookings(db: Db, history: History, webhooks: Webhooks, violations: string[]): Promise<BookingFigures> {
  const now = new Date();
  const slots = await db.collection<DateSlotDoc>('dateSlots').find().toArray();
  const bookings = await db.collection<BookingDoc>('bookings').find().toArray();
  const refunds = new Map((await db.collection<RefundDoc>('refunds').find().toArray()).map((r) => [r._id.toHexString(), r]));
  const authorizations = new Map(
    (await db.collection<CardAuthorizationDoc>('cardAuthorizations').find().toArray()).map((a) => [a._id.toHexString(), a]),
  );
  const holds = await db.collection<HoldDoc>('holds').find().toArray();
  const figures: BookingFigures = {
    slots: slots.length,
    bookings: {},
    paidSessions: 0,
    refundsDone: 0,
    capturesDone: 0,
    voidsDone: 0,
    pendingLeased: 0,
  };

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
    const refund = refunds.get(booking._id.toHexString());
    const authorization = authorizations.get(booking._id.toHexString());
    const calls = expectedCalls(booking, refund, authorization);
    if (!calls) {
      violations.push(
        `${booking.status} booking ${booking._id} of paid session ${sessionId} has refund ${refund?.state ?? 'none'} and card authorization ${authorization ? `${authorization.action} ${authorization.state}` : 'none'}`,
      );
      continue;
    }
    for (const call of calls) {
      if (call.state === 'done' || call.state === 'refused') continue;
      if (call.leaseUntil && call.leaseUntil > now) figures.pendingLeased += 1;
      else
        violations.push(
          `${booking.status} booking ${booking._id}: a Stripe call still ${call.state} after redelivery (${call.lastError ?? 'no error'})`,
        );
    }
    if (refund?.state === 'done') figures.refundsDone += 1;
    if (authorization?.state === 'done') figures[authorization.action === 'capture' ? 'capturesDone' : 'voidsDone'] += 1;
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
    // A booking whose capture Stripe refused is VOIDED after its hold was confirmed.
    const booking = bookings.find((b) => String(b.holdId) === String(hold._id) && ['CONFIRMED', 'CANCELLED', 'VOIDED'].includes(b.status));
    if (!booking) violations.push(`hold ${hold._id} is confirmed without a CONFIRMED, CANCELLED or VOIDED booking`);
  }
  return figures;
}
