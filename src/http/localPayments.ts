import { randomUUID } from 'node:crypto';
import express, { type Express, type Request, type RequestHandler } from 'express';
import type { Caller } from '../auth';
import type { HoldDocument } from '../bookings';
import { DomainError } from '../errors';
import { errorResponse } from '../errorResponse';
import type { Logger } from '../logger';
import { CAPTURE_METADATA_KEY, type CaptureMethod } from '../payments';
import { sendErrorResponse } from './errorHandler';
import { STRIPE_WEBHOOK_PATH } from './stripeWebhookRoute';

/**
 * `POST /dev/simulate-payment` (bearer token, `{ holdId }`): local mode only (stripe-mock, never a
 * real key). stripe-mock has no hosted payment page and sends no webhooks, so this plays Stripe's
 * part once the customer "has paid": it builds the `checkout.session.completed` event Stripe would
 * send for the hold's session (the card authorized, `payment_status: unpaid`, as with manual capture), signs it with the endpoint's secret and POSTs it over HTTP to this
 * server's own `/webhooks/stripe`, through the same verification and processing as a real delivery.
 * `GET` on the same path answers `{ available: true }`, so a page can tell whether to offer it.
 * Refusals are `DomainError`s, answered as the one error table says (src/errorResponse.ts): 401
 * UNAUTHENTICATED, 400 BAD_REQUEST, 404 NOT_FOUND, 409 HOLD_NOT_PAYABLE or CHECKOUT_NOT_STARTED, 502
 * PAYMENT_PROVIDER_ERROR, 503 SERVICE_UNAVAILABLE.
 */
export const SIMULATE_PAYMENT_PATH = '/dev/simulate-payment';

export interface LocalPaymentsOptions {
  /** The caller a bearer header names (undefined without one); throws UNAUTHENTICATED for a bad one. */
  recognise: (authorization: unknown) => Promise<Caller | undefined>;
  /** The hold if the caller may see it (the route itself insists on the owner). */
  findHold: (caller: Caller, holdId: string) => Promise<HoldDocument | null>;
  /** Signs a payload with the endpoint's secret, the one `/webhooks/stripe` verifies with. */
  sign: (payload: string) => string;
  logger: Logger;
}

export interface CheckoutEventFacts {
  holdId: string;
  sessionId: string;
  /** Defaults to `pi_for_<sessionId>`; null for none. */
  paymentIntentId?: string | null;
  /** Defaults to `unpaid` for a completed manual-capture session (the card was authorized), `paid` for an automatic one. */
  paymentStatus?: 'paid' | 'unpaid' | 'no_payment_required';
  /**
   * Defaults to `manual`, as hold sessions are opened; `automatic` is a session opened before holds
   * were authorized only (its completed event is `paid`, or `unpaid` for a delayed payment method).
   */
  capture?: CaptureMethod;
}

/** A Checkout event for a hold, shaped like Stripe's (the fields the webhook reads, and a few more). */
export function checkoutSessionEvent(type: string, facts: CheckoutEventFacts, id = `evt_${randomUUID().replace(/-/g, '')}`) {
  const manual = (facts.capture ?? 'manual') === 'manual';
  const completedStatus = manual ? 'unpaid' : 'paid';
  return {
    id,
    object: 'event',
    api_version: '2025-01-27.acacia',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: {
      object: {
        id: facts.sessionId,
        object: 'checkout.session',
        mode: 'payment',
        client_reference_id: facts.holdId,
        // Stripe echoes the metadata the session was created with (the gateway's `startCheckout`).
        metadata: { purpose: 'hold', holdId: facts.holdId, ...(manual ? { [CAPTURE_METADATA_KEY]: 'manual' } : {}) } as Record<
          string,
          string
        >,
        payment_intent: facts.paymentIntentId === undefined ? `pi_for_${facts.sessionId}` : facts.paymentIntentId,
        payment_status:
          facts.paymentStatus ??
          (type === 'checkout.session.completed'
            ? completedStatus
            : type === 'checkout.session.async_payment_succeeded'
              ? 'paid'
              : 'unpaid'),
        status: type === 'checkout.session.expired' ? 'expired' : 'complete',
      },
    },
  };
}

/** Only a held hold whose Checkout was opened can be paid; a closed session cannot, as at Stripe. */
function payableSession(hold: HoldDocument | null, callerId: string, holdId: string): string {
  // Someone else's hold (admins included) answers as a missing one does.
  if (!hold || hold.userId !== callerId) throw new DomainError('NOT_FOUND', `holdId: no hold of yours has the id ${holdId}`);
  if (hold.state === 'confirmed') throw new DomainError('HOLD_NOT_PAYABLE', 'This hold is already paid for.');
  if (hold.state !== 'held') {
    throw new DomainError('HOLD_NOT_PAYABLE', `This hold was ${hold.state}; its checkout is closed. Hold the dates again.`);
  }
  if (!hold.checkout) throw new DomainError('CHECKOUT_NOT_STARTED', 'Start the checkout first (press Pay).');
  return hold.checkout.sessionId;
}

/** The address this request came in on: the server reaches itself the way the caller reached it. */
function selfUrl(req: Request, path: string): string {
  const address = req.socket.localAddress ?? '127.0.0.1';
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${req.socket.localPort}${path}`;
}

async function deliverSigned(url: string, event: object, sign: (payload: string) => string) {
  const payload = JSON.stringify(event);
  const signature = sign(payload);
  let response: globalThis.Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new DomainError('PAYMENT_PROVIDER_ERROR', `The webhook endpoint could not be reached: ${(error as Error).message}`);
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    throw new DomainError('PAYMENT_PROVIDER_ERROR', `The webhook endpoint answered ${response.status}; try again.`);
  }
  return body;
}

/** Mounted only when the server runs against stripe-mock; with a real key the path does not exist (404). */
export function serveLocalPayments(app: Express, options: LocalPaymentsOptions): void {
  const { logger } = options;
  const simulate: RequestHandler = async (req, res) => {
    try {
      const caller = await options.recognise(req.headers.authorization);
      if (!caller) throw new DomainError('UNAUTHENTICATED', 'Send the bearer token of the hold’s owner.');
      const holdId = (req.body as { holdId?: unknown } | undefined)?.holdId;
      if (typeof holdId !== 'string' || holdId === '') throw new DomainError('BAD_REQUEST', 'Send a JSON body { "holdId": "…" }.');
      const sessionId = payableSession(await options.findHold(caller, holdId), caller.id, holdId);
      const event = checkoutSessionEvent('checkout.session.completed', { holdId, sessionId });
      const webhook = await deliverSigned(selfUrl(req, STRIPE_WEBHOOK_PATH), event, options.sign);
      logger.info({ holdId, checkoutSessionId: sessionId, eventId: event.id, webhook }, 'simulated a Checkout payment (stripe-mock)');
      res.json({ delivered: true, eventId: event.id, checkoutSessionId: sessionId, webhook });
    } catch (thrown) {
      const response = errorResponse(thrown);
      if (response.bug) logger.error({ err: thrown }, 'simulating a payment failed');
      sendErrorResponse(res, response);
    }
  };
  app.get(SIMULATE_PAYMENT_PATH, (_req, res) => {
    res.json({ available: true });
  });
  app.post(SIMULATE_PAYMENT_PATH, express.json({ limit: '10kb' }), simulate);
}
