import type { Collection } from 'mongodb';
import type Stripe from 'stripe';
import type { BookingDoc, BookingDocument } from '../bookings/bookingRecords';
import type { CheckoutReport, CheckoutSettlement, SettlementOutcome } from '../bookings/checkoutSettlement';
import type { Logger } from '../logger';
import { type CheckoutHandler, type EventEffect, paymentIntentIdOf } from './checkoutEvents';
import type { RefundSender } from './refunds';

export interface HoldPaymentDeps {
  settlement: CheckoutSettlement;
  bookings: Collection<BookingDoc>;
  refunds: RefundSender;
  logger: Logger;
}

function reportOf(checkout: Stripe.Checkout.Session): CheckoutReport {
  return {
    holdId: checkout.client_reference_id ?? checkout.metadata?.holdId ?? null,
    sessionId: checkout.id,
    paymentIntentId: paymentIntentIdOf(checkout),
  };
}

function describe(outcome: SettlementOutcome): string {
  return outcome.kind === 'nothing_to_do' ? `nothing_to_do: ${outcome.reason}` : outcome.kind;
}

/** Checkout Sessions that pay for a hold: confirm it, refund a payment that lost its dates, or release it. */
export function holdPaymentHandler({ settlement, bookings, refunds, logger }: HoldPaymentDeps): CheckoutHandler {
  const refundAfterCommit = (booking: BookingDocument | undefined) =>
    booking?.refund?.state === 'pending' ? () => refunds.send(booking._id).then(() => undefined) : undefined;

  return {
    async apply(session, step, checkout): Promise<EventEffect> {
      const report = reportOf(checkout);
      const outcome =
        step === 'paid'
          ? await settlement.settlePaid(session, report)
          : step === 'awaiting_payment'
            ? await settlement.recordAwaitingPayment(session, report)
            : await settlement.releaseUnpaid(session, report);
      if (outcome.kind === 'nothing_to_do')
        logger.warn({ checkoutSessionId: checkout.id, holdId: report.holdId, reason: outcome.reason }, 'Checkout event changed nothing');
      if (outcome.kind === 'refund_due' && !report.paymentIntentId) {
        logger.error({ checkoutSessionId: checkout.id }, 'a paid Checkout lost its hold but names no payment intent to refund');
      }
      const booking = 'booking' in outcome ? outcome.booking : undefined;
      return { outcome: describe(outcome), afterCommit: refundAfterCommit(booking) };
    },

    async resume(checkout) {
      const booking = await bookings.findOne({ checkoutSessionId: checkout.id });
      await refundAfterCommit(booking ?? undefined)?.();
    },
  };
}
