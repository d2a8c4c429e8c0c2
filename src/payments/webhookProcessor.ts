import type { Collection, MongoClient } from 'mongodb';
import type Stripe from 'stripe';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { withTransaction } from '../mongo/transaction';
import { type CheckoutHandlers, checkoutStepOf, purposeOf } from './checkoutEvents';
import { EventAlreadyProcessed, type StripeEventDoc, recordEventOnce, setEventOutcome } from './stripeEvents';

export interface WebhookDeps {
  client: MongoClient;
  events: Collection<StripeEventDoc>;
  stripe: Stripe;
  webhookSecret: string;
  handlers: CheckoutHandlers;
  clock: Clock;
  logger: Logger;
}

/** Why a delivery was refused (400): Stripe should not retry it, and nothing was written. */
export class InvalidWebhook extends Error {}

export type WebhookResult = { handled: true; outcome: string } | { handled: false; reason: 'duplicate' | 'ignored' };

function looksLikeEvent(value: unknown): value is Stripe.Event {
  const event = value as Partial<Stripe.Event> | null;
  return (
    typeof event === 'object' &&
    event !== null &&
    typeof event.id === 'string' &&
    event.id !== '' &&
    typeof event.type === 'string' &&
    typeof event.data?.object === 'object' &&
    event.data.object !== null
  );
}

/**
 * Verifies and applies Stripe events. Each event takes effect at most once: its id is recorded in
 * the same transaction as its effect. Event types nobody handles are answered 200 and not recorded:
 * they have no effect to deduplicate, and leaving them out means a handler added later still sees
 * them on Stripe's redelivery.
 */
export function webhookProcessor({ client, events, stripe, webhookSecret, handlers, clock, logger }: WebhookDeps) {
  return {
    /** `constructEvent` checks the signature over the raw bytes and the 300 s timestamp tolerance. */
    verify(rawBody: Buffer, signature: string | undefined): Stripe.Event {
      if (!signature) throw new InvalidWebhook('missing Stripe-Signature header');
      let event: unknown;
      try {
        event = stripe.webhooks.constructEvent(rawBody, signature, webhookSecret);
      } catch (error) {
        throw new InvalidWebhook((error as Error).message);
      }
      if (!looksLikeEvent(event)) throw new InvalidWebhook('the payload is not a Stripe event');
      return event;
    },

    async process(event: Stripe.Event): Promise<WebhookResult> {
      const routed = checkoutStepOf(event);
      const purpose = routed && purposeOf(routed.checkout);
      // Own keys only: a purpose such as `constructor` must not find something on the prototype.
      if (!routed || !purpose || !Object.hasOwn(handlers, purpose)) return { handled: false, reason: 'ignored' };
      const handler = handlers[purpose as keyof CheckoutHandlers];
      let effect;
      try {
        effect = await withTransaction(client, async (session) => {
          await recordEventOnce(events, session, event, clock.now());
          const applied = await handler.apply(session, routed.step, routed.checkout);
          await setEventOutcome(events, session, event.id, applied.outcome);
          return applied;
        });
      } catch (error) {
        if (!(error instanceof EventAlreadyProcessed)) throw error;
        await handler.resume(routed.checkout);
        return { handled: false, reason: 'duplicate' };
      }
      logger.info({ eventId: event.id, type: event.type, outcome: effect.outcome }, 'Stripe event applied');
      await effect.afterCommit?.();
      return { handled: true, outcome: effect.outcome };
    },
  };
}

export type WebhookProcessor = ReturnType<typeof webhookProcessor>;
