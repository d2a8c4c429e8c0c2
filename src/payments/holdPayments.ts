import type { ClientSession, ObjectId } from 'mongodb';
import type { CheckoutOutcome, CheckoutOutcomes, CheckoutReport } from '../bookings';
import type { Logger } from '../logger';
import type { CardAuthorizations } from './cardAuthorizations';
import type { CheckoutHandler, EventEffect } from './checkoutEvents';
import type { RefundSender } from './refunds';
import type { CheckoutEvent } from './stripeGateway';

export interface HoldPaymentDeps {
  outcomes: CheckoutOutcomes;
  refunds: RefundSender;
  authorizations: CardAuthorizations;
  logger: Logger;
}

function reportOf(event: CheckoutEvent): CheckoutReport {
  return { holdId: event.reference ?? event.metadata.holdId ?? null, sessionId: event.sessionId, paymentIntentId: event.paymentIntentId };
}

function describe(outcome: CheckoutOutcome): string {
  return outcome.kind === 'nothing_to_do' ? `nothing_to_do: ${outcome.reason}` : outcome.kind;
}

/**
 * Checkout Sessions that pay for a hold: the bookings module applies the outcome to the hold (book
 * it, or release it, or "the dates are gone"); what Stripe must then be told is recorded in the
 * same transaction and sent after commit: a card authorization is captured when the hold is
 * confirmed and voided when it was lost; a payment taken at once that lost its dates is refunded.
 */
export function holdPaymentHandler({ outcomes, refunds, authorizations, logger }: HoldPaymentDeps): CheckoutHandler {
  async function applyToHold(session: ClientSession, event: CheckoutEvent, report: CheckoutReport): Promise<CheckoutOutcome> {
    if (event.step === 'paid') return outcomes.bookOrRefund(session, report, 'captured');
    if (event.step === 'authorized') return outcomes.bookOrRefund(session, report, 'authorized');
    if (event.step === 'awaiting_payment') return outcomes.recordAwaitingPayment(session, report);
    return outcomes.releaseUnpaid(session, report);
  }

  /** Records the Stripe call the outcome needs, in the event's transaction. */
  async function recordFollowUp(session: ClientSession, event: CheckoutEvent, outcome: CheckoutOutcome): Promise<void> {
    const authorized = event.step === 'authorized';
    const due = outcome.kind === 'refund_due' || outcome.kind === 'void_due' || (outcome.kind === 'confirmed' && authorized);
    if (!due) return;
    const pi = event.paymentIntentId;
    if (!pi) {
      logger.error({ checkoutSessionId: event.sessionId, outcome: outcome.kind }, 'a Checkout payment names no payment intent to act on');
      return;
    }
    if (outcome.kind === 'refund_due') await refunds.record(session, outcome.booking._id, pi);
    else await authorizations.record(session, outcome.booking._id, pi, outcome.kind === 'void_due' ? 'void' : 'capture');
  }

  /** After commit, and on every redelivery: whatever is still pending for the booking (also when an earlier event recorded it and its send failed). */
  async function sendPending(bookingId: ObjectId): Promise<void> {
    await authorizations.send(bookingId);
    await refunds.send(bookingId);
  }

  return {
    async apply(session, event): Promise<EventEffect> {
      const report = reportOf(event);
      const outcome = await applyToHold(session, event, report);
      if (outcome.kind === 'nothing_to_do')
        logger.warn(
          { checkoutSessionId: event.sessionId, holdId: report.holdId, reason: outcome.reason },
          'Checkout event changed nothing',
        );
      await recordFollowUp(session, event, outcome);
      const bookingId = 'booking' in outcome ? outcome.booking._id : undefined;
      return { outcome: describe(outcome), afterCommit: bookingId && (() => sendPending(bookingId)) };
    },

    /** A redelivery retries a capture, void or refund its first delivery recorded but could not send. */
    async resume(event) {
      const booking = await outcomes.bookingOfSession(event.sessionId);
      if (booking) await sendPending(booking._id);
    },
  };
}
