import type { Collection, MongoClient } from 'mongodb';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { withTransaction } from '../mongo';
import type { CheckoutHandlers } from './checkoutEvents';
import { EventAlreadyProcessed, type StripeEventDoc, recordEventOnce, setEventOutcome } from './stripeEvents';
import type { PaymentGateway, VerifiedEvent } from './stripeGateway';

export interface WebhookDeps {
  client: MongoClient;
  events: Collection<StripeEventDoc>;
  gateway: PaymentGateway;
  handlers: CheckoutHandlers;
  clock: Clock;
  logger: Logger;
}

export type WebhookResult = { handled: true; outcome: string } | { handled: false; reason: 'duplicate' | 'ignored' };

/**
 * Verifies and applies Stripe events. Each event takes effect at most once: its id is recorded in
 * the same transaction as its effect. Event types nobody handles are answered 200 and not recorded:
 * they have no effect to deduplicate, and leaving them out means a handler added later still sees
 * them on Stripe's redelivery.
 */
export function webhookProcessor({ client, events, gateway, handlers, clock, logger }: WebhookDeps) {
  return {
    verify: gateway.verifyEvent,

    async process(event: VerifiedEvent): Promise<WebhookResult> {
      const { checkout } = event;
      const purpose = checkout?.purpose;
      // Own keys only: a purpose such as `constructor` must not find something on the prototype.
      if (!checkout || !purpose || !Object.hasOwn(handlers, purpose)) return { handled: false, reason: 'ignored' };
      const handler = handlers[purpose as keyof CheckoutHandlers];
      let effect;
      try {
        effect = await withTransaction(client, async (session) => {
          await recordEventOnce(events, session, event, clock.now());
          const applied = await handler.apply(session, checkout);
          await setEventOutcome(events, session, event.id, applied.outcome);
          return applied;
        });
      } catch (error) {
        if (!(error instanceof EventAlreadyProcessed)) throw error;
        await handler.resume(checkout);
        return { handled: false, reason: 'duplicate' };
      }
      logger.info({ eventId: event.id, type: event.type, outcome: effect.outcome }, 'Stripe event applied');
      await effect.afterCommit?.();
      return { handled: true, outcome: effect.outcome };
    },
  };
}

export type WebhookProcessor = ReturnType<typeof webhookProcessor>;
