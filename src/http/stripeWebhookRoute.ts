import express, { type RequestHandler } from 'express';
import { errorResponse } from '../errorResponse';
import type { Logger } from '../logger';
import { InvalidWebhook, type WebhookProcessor } from '../payments';

export const STRIPE_WEBHOOK_PATH = '/webhooks/stripe';

/** Told how each delivery ended (metrics); `type` is undefined for a delivery refused before it was read. */
export type WebhookResultObserver = (
  type: string | undefined,
  result: 'applied' | 'duplicate' | 'ignored' | 'invalid' | 'unapplicable' | 'retry' | 'failed',
) => void;

/**
 * `POST /webhooks/stripe`. The signature covers the exact bytes Stripe sent, so this route reads
 * the raw body itself and must be mounted before any JSON parser.
 *
 * Stripe redelivers anything but a 2xx for three days, so the status says whether that can help,
 * read from what the one error table (src/errorResponse.ts) says of the error:
 * - a forged, stale, unsigned or malformed delivery → 400, nothing written (Stripe does not retry);
 * - a `DomainError` that is not retryable (say BAD_USER_INPUT: a top-up that would push a balance
 *   past 2^53 - 1) → 200 `{received, ignored: code}`, logged at error level with the event id.
 *   Redelivery cannot help. Thrown inside the event's transaction, it aborted it, so neither the
 *   effect nor the `stripeEvents` record was written: once an operator fixes the cause, resending
 *   the event from the Stripe dashboard applies it, once;
 * - a retryable `DomainError` (`details.retryable`, or SERVICE_UNAVAILABLE, which is also what
 *   MongoDB being unreachable or without a primary becomes) → 503: Stripe redelivers;
 * - anything else (Stripe unreachable, a bug such as a failed assertion) → 500: Stripe redelivers, which is what
 *   an outage needs (a redelivery also finishes work left pending after commit, such as a refund).
 */
export function stripeWebhookRoute(webhooks: WebhookProcessor, logger: Logger, onResult?: WebhookResultObserver): RequestHandler[] {
  const handle: RequestHandler = async (req, res) => {
    const signature = req.headers['stripe-signature'];
    let event;
    try {
      if (!Buffer.isBuffer(req.body)) throw new InvalidWebhook('empty body');
      event = webhooks.verify(req.body, typeof signature === 'string' ? signature : undefined);
    } catch (error) {
      if (!(error instanceof InvalidWebhook)) throw error;
      logger.warn({ reason: error.message }, 'refused a Stripe webhook delivery');
      onResult?.(undefined, 'invalid');
      res.status(400).json({ error: error.message });
      return;
    }
    try {
      const processed = await webhooks.process(event);
      onResult?.(event.type, processed.handled ? 'applied' : processed.reason);
      res.json({ received: true, ...processed });
    } catch (thrown) {
      const { bug, retryable, code } = errorResponse(thrown);
      const context = { err: thrown, eventId: event.id, type: event.type };
      if (bug) {
        logger.error(context, 'Stripe event failed; Stripe will redeliver it');
        onResult?.(event.type, 'failed');
        res.status(500).json({ error: 'the event could not be applied; it will be retried' });
      } else if (retryable) {
        logger.warn({ ...context, code }, 'Stripe event could not be applied yet; Stripe will redeliver it');
        onResult?.(event.type, 'retry');
        res.status(503).json({ error: 'the event could not be applied yet; it will be retried' });
      } else {
        logger.error({ ...context, code }, 'Stripe event can never be applied; answered 200 so it is not redelivered');
        onResult?.(event.type, 'unapplicable');
        res.json({ received: true, ignored: code });
      }
    }
  };
  return [express.raw({ type: () => true, limit: '1mb' }), handle];
}
