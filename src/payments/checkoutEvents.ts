import type { ClientSession } from 'mongodb';
import type { CheckoutEvent, CheckoutPurpose } from './stripeGateway';

/** What an event did, and work that must wait until its transaction has committed (e.g. a refund call). */
export interface EventEffect {
  outcome: string;
  afterCommit?: () => Promise<void>;
}

/**
 * What one purpose does with a Checkout event. A new purpose is one more implementation of this
 * and one more entry in the map handed to `webhookProcessor`.
 */
export interface CheckoutHandler {
  /** Runs inside the transaction that records the event. */
  apply(session: ClientSession, event: CheckoutEvent): Promise<EventEffect>;
  /** On a redelivery of an event already recorded: finish follow-up work that did not complete before. */
  resume(event: CheckoutEvent): Promise<void>;
}

export type CheckoutHandlers = Record<CheckoutPurpose, CheckoutHandler>;
