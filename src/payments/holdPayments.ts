import type { ClientSession } from 'mongodb';
import type { CheckoutOutcome, CheckoutOutcomes, CheckoutReport } from '../bookings';
import type { Logger } from '../logger';
import type { CheckoutHandler, EventEffect } from './checkoutEvents';
import type { RefundSender } from './refunds';
import type { CheckoutEvent } from './stripeGateway';

export interface HoldPaymentDeps {
  outcomes: CheckoutOutcomes;
  refunds: RefundSender;
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
 * it, or release it, or "the dates are gone"); a payment that lost its dates is refunded, recorded
 * in the same transaction and sent after commit.
 */
export function holdPaymentHandler({ outcomes, refunds, logger }: HoldPaymentDeps): CheckoutHandler {
  async function applyToHold(session: ClientSession, event: CheckoutEvent, report: CheckoutReport): Promise<CheckoutOutcome> {
    if (event.step === 'paid') return outcomes.bookOrRefund(session, report);
    if (event.step === 'awaiting_payment') return outcomes.recordAwaitingPayment(session, report);
    return outcomes.releaseUnpaid(session, report);
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
      if (outcome.kind === 'refund_due') {
        if (report.paymentIntentId) await refunds.record(session, outcome.booking._id, report.paymentIntentId);
        else logger.error({ checkoutSessionId: event.sessionId }, 'a paid Checkout lost its hold but names no payment intent to refund');
      }
      // A refunded booking's refund is sent after commit (also when an earlier event recorded it and its send failed).
      const refunded = 'booking' in outcome && outcome.booking.status === 'REFUNDED' ? outcome.booking._id : undefined;
      return { outcome: describe(outcome), afterCommit: refunded && (() => refunds.send(refunded).then(() => undefined)) };
    },

    /** A redelivery retries a refund its first delivery recorded but could not send. */
    async resume(event) {
      const booking = await outcomes.bookingOfSession(event.sessionId);
      if (booking?.status === 'REFUNDED') await refunds.send(booking._id);
    },
  };
}
