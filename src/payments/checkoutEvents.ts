import type { ClientSession } from 'mongodb';
import type Stripe from 'stripe';

/** What a Checkout event says happened to the payment. */
export type CheckoutStep = 'paid' | 'awaiting_payment' | 'unpaid';

/** The `metadata.purpose` our code puts on every Checkout Session it creates. */
export type CheckoutPurpose = 'hold' | 'topup';

/** What an event did, and work that must wait until its transaction has committed (e.g. a refund call). */
export interface EventEffect {
  outcome: string;
  afterCommit?: () => Promise<void>;
}

/**
 * What one purpose does with a Checkout step. A new purpose (a wallet top-up, say) is one more
 * implementation of this and one more entry in the map handed to `webhookProcessor`.
 */
export interface CheckoutHandler {
  /** Runs inside the transaction that records the event. */
  apply(session: ClientSession, step: CheckoutStep, checkout: Stripe.Checkout.Session): Promise<EventEffect>;
  /** On a redelivery of an event already recorded: finish follow-up work that did not complete before. */
  resume(checkout: Stripe.Checkout.Session): Promise<void>;
}

export type CheckoutHandlers = Record<CheckoutPurpose, CheckoutHandler>;

/**
 * Maps an event type to a step. `completed` means paid only when `payment_status` is `paid`;
 * with a delayed method (bank debit) it is `unpaid` and an `async_payment_*` event follows.
 */
export function checkoutStepOf(event: Stripe.Event): { step: CheckoutStep; checkout: Stripe.Checkout.Session } | undefined {
  switch (event.type) {
    case 'checkout.session.completed': {
      const checkout = event.data.object;
      if (checkout.payment_status === 'paid') return { step: 'paid', checkout };
      if (checkout.payment_status === 'unpaid') return { step: 'awaiting_payment', checkout };
      return undefined;
    }
    case 'checkout.session.async_payment_succeeded':
      return { step: 'paid', checkout: event.data.object };
    case 'checkout.session.async_payment_failed':
    case 'checkout.session.expired':
      return { step: 'unpaid', checkout: event.data.object };
    default:
      return undefined;
  }
}

/** Sessions made before purposes existed (or by hand in a dashboard) with a `client_reference_id` are holds. */
export function purposeOf(checkout: Stripe.Checkout.Session): string | undefined {
  return checkout.metadata?.purpose ?? (checkout.client_reference_id ? 'hold' : undefined);
}

/** The id, whether Stripe sent the payment intent as an id or expanded. */
export function paymentIntentIdOf(checkout: Stripe.Checkout.Session): string | null {
  const pi = checkout.payment_intent;
  if (!pi) return null;
  return typeof pi === 'string' ? pi : pi.id;
}
