import express, { type RequestHandler } from 'express';
import type { Logger } from '../logger';
import { InvalidWebhook, type WebhookProcessor } from './webhookProcessor';

export const STRIPE_WEBHOOK_PATH = '/webhooks/stripe';

/**
 * `POST /webhooks/stripe`. The signature covers the exact bytes Stripe sent, so this route reads
 * the raw body itself and must be mounted before any JSON parser. Refused deliveries get 400
 * (Stripe does not retry those); a failure while applying one gets 500, and Stripe redelivers.
 */
export function stripeWebhookRoute(webhooks: WebhookProcessor, logger: Logger): RequestHandler[] {
  const handle: RequestHandler = async (req, res) => {
    const signature = req.headers['stripe-signature'];
    let event;
    try {
      if (!Buffer.isBuffer(req.body)) throw new InvalidWebhook('empty body');
      event = webhooks.verify(req.body, typeof signature === 'string' ? signature : undefined);
    } catch (error) {
      if (!(error instanceof InvalidWebhook)) throw error;
      logger.warn({ reason: error.message }, 'refused a Stripe webhook delivery');
      res.status(400).json({ error: error.message });
      return;
    }
    try {
      res.json({ received: true, ...(await webhooks.process(event)) });
    } catch (error) {
      logger.error({ err: error, eventId: event.id, type: event.type }, 'Stripe event failed; Stripe will redeliver it');
      res.status(500).json({ error: 'the event could not be applied; it will be retried' });
    }
  };
  return [express.raw({ type: () => true, limit: '1mb' }), handle];
}
