import type Stripe from 'stripe';
import { DomainError } from '../errors';
import type { Logger } from '../logger';

/** The `metadata.purpose` our code puts on every Checkout Session it creates. */
export type CheckoutPurpose = 'hold' | 'topup';

/**
 * What a Checkout event says happened to the payment: `authorized` is a card payment Stripe holds
 * on the card, to be captured or voided by us (a session with manual capture).
 */
export type CheckoutStep = 'paid' | 'authorized' | 'awaiting_payment' | 'unpaid';

/**
 * How the session's payment is taken: `manual` authorizes it at Checkout and leaves the capture to
 * us (holds); `automatic` charges it at once (top-ups). Stripe echoes the session's metadata in its
 * events, so the mark tells a completed-but-unpaid manual session (authorized) from one paid with a
 * delayed method (awaiting payment) without asking Stripe, and sessions opened before the mark
 * existed (automatic) keep their meaning.
 */
export type CaptureMethod = 'manual' | 'automatic';
export const CAPTURE_METADATA_KEY = 'capture';

/** What a capture or a void came to: done (now, or before), or refused for good (with Stripe's reason). */
export type AuthorizationCallResult = { outcome: 'done' } | { outcome: 'refused'; reason: string };

/** A payment page to open for one purchase; the caller derives every field from its own records. */
export interface CheckoutRequest {
  purpose: CheckoutPurpose;
  capture: CaptureMethod;
  /** Our id of what is paid for (a hold, a top-up): Stripe's `client_reference_id`. */
  reference: string;
  metadata: Record<string, string>;
  amount: number;
  currency: string;
  description: string;
  /** Unix seconds; Stripe accepts 30 minutes to 24 hours from creation. */
  expiresAt: number;
  /** Same key and parameters → the same session, however often it is sent. */
  idempotencyKey: string;
}

export interface StartedCheckout {
  sessionId: string;
  url: string;
  expiresAt: Date;
}

/** A verified Checkout event in our terms; no provider type leaves the gateway. */
export interface CheckoutEvent {
  step: CheckoutStep;
  purpose: string | undefined;
  sessionId: string;
  reference: string | null;
  metadata: Record<string, string>;
  paymentIntentId: string | null;
}

export interface VerifiedEvent {
  id: string;
  type: string;
  /** Present for the Checkout events we act on; absent for any other event type. */
  checkout?: CheckoutEvent;
}

/** Why a delivery was refused (400): Stripe should not retry it, and nothing was written. */
export class InvalidWebhook extends Error {}

export interface GatewayOptions {
  stripe: Stripe;
  webhookSecret: string;
  successUrl: string;
  cancelUrl: string;
  logger: Logger;
}

/**
 * Stripe Checkout's ceiling for one payment, in minor units. Stripe refuses `expires_at` under 30
 * minutes or over 24 hours from creation; a minute of margin each side.
 */
export const MIN_SESSION_SECONDS = 31 * 60;
export const MAX_SESSION_SECONDS = 24 * 60 * 60 - 60;

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
 * Maps an event type to a step. `completed` means paid only when `payment_status` is `paid`. It is
 * `unpaid` when a manual-capture session's card was authorized (its payment intent then
 * `requires_capture`: Checkout offers such a session only methods that can be captured later), or,
 * with automatic capture, when a delayed method (bank debit) was used and an `async_payment_*`
 * event follows.
 */
function checkoutStepOf(event: Stripe.Event): { step: CheckoutStep; checkout: Stripe.Checkout.Session } | undefined {
  switch (event.type) {
    case 'checkout.session.completed': {
      const checkout = event.data.object;
      if (checkout.payment_status === 'paid') return { step: 'paid', checkout };
      if (checkout.payment_status !== 'unpaid') return undefined;
      const manual = checkout.metadata?.[CAPTURE_METADATA_KEY] === 'manual';
      return { step: manual ? 'authorized' : 'awaiting_payment', checkout };
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

function checkoutEventOf(event: Stripe.Event): CheckoutEvent | undefined {
  const routed = checkoutStepOf(event);
  if (!routed) return undefined;
  const { step, checkout } = routed;
  const pi = checkout.payment_intent;
  return {
    step,
    // Sessions made before purposes existed (or by hand in a dashboard) with a `client_reference_id` are holds.
    purpose: checkout.metadata?.purpose ?? (checkout.client_reference_id ? 'hold' : undefined),
    sessionId: checkout.id,
    reference: checkout.client_reference_id ?? null,
    metadata: { ...checkout.metadata },
    // The id, whether Stripe sent the payment intent as an id or expanded.
    paymentIntentId: !pi ? null : typeof pi === 'string' ? pi : pi.id,
  };
}

/**
 * A capture or void Stripe refused because of the payment intent's state: done when that state is
 * what the call would have reached (`doneStatus`), else refused for good. Any other error is thrown.
 */
function refusalOf(error: unknown, doneStatus: Stripe.PaymentIntent.Status): AuthorizationCallResult {
  const stripeError = error as { code?: string; payment_intent?: { status?: string }; message?: string };
  if (stripeError.code !== 'payment_intent_unexpected_state') throw error;
  const status = stripeError.payment_intent?.status;
  if (status === doneStatus) return { outcome: 'done' };
  return { outcome: 'refused', reason: `payment intent is ${status ?? 'in an unexpected state'}: ${stripeError.message ?? ''}`.trim() };
}

/** Capture and void of a card payment Stripe only authorized (manual capture), keyed by the caller. */
function authorizationCalls(stripe: Stripe) {
  return {
    /**
     * Captures an authorized payment in full. A payment intent Stripe will not capture
     * (`payment_intent_unexpected_state`: its authorization lapsed or was cancelled) is refused for
     * good, unless it was captured already (a repeat); anything else throws, to be retried.
     */
    async capture(paymentIntentId: string, idempotencyKey: string, metadata: Record<string, string>): Promise<AuthorizationCallResult> {
      try {
        await stripe.paymentIntents.capture(paymentIntentId, { metadata }, { idempotencyKey });
        return { outcome: 'done' };
      } catch (error) {
        return refusalOf(error, 'succeeded');
      }
    },

    /** Cancels an authorized payment (nothing is charged). One cancelled before is done; one captured is refused. */
    async voidAuthorization(paymentIntentId: string, idempotencyKey: string): Promise<AuthorizationCallResult> {
      try {
        await stripe.paymentIntents.cancel(paymentIntentId, { cancellation_reason: 'abandoned' }, { idempotencyKey });
        return { outcome: 'done' };
      } catch (error) {
        return refusalOf(error, 'canceled');
      }
    },
  };
}

/**
 * Everything this service asks of Stripe, in one place: Checkout Sessions (create, expire),
 * captures and voids of authorized card payments, refunds, and webhook verification. Provider
 * errors become our error codes here, once; callers see only the neutral types above.
 */
export function stripeGateway({ stripe, webhookSecret, successUrl, cancelUrl, logger }: GatewayOptions) {
  return {
    async startCheckout(request: CheckoutRequest): Promise<StartedCheckout> {
      const metadata = { purpose: request.purpose, [CAPTURE_METADATA_KEY]: request.capture, ...request.metadata };
      try {
        const session = await stripe.checkout.sessions.create(
          {
            mode: 'payment',
            client_reference_id: request.reference,
            metadata,
            payment_intent_data: { capture_method: request.capture, metadata },
            line_items: [
              {
                quantity: 1,
                price_data: {
                  currency: request.currency.toLowerCase(),
                  unit_amount: request.amount,
                  product_data: { name: request.description },
                },
              },
            ],
            expires_at: request.expiresAt,
            success_url: successUrl,
            cancel_url: cancelUrl,
          },
          { idempotencyKey: request.idempotencyKey },
        );
        // A hosted session is created open, with the URL the customer pays at; without one nobody could pay.
        if (!session.url) throw new Error(`Stripe created Checkout Session ${session.id} without a URL`);
        return { sessionId: session.id, url: session.url, expiresAt: new Date(session.expires_at * 1000) };
      } catch (error) {
        logger.error({ err: error, purpose: request.purpose, reference: request.reference }, 'Stripe refused to create a Checkout Session');
        throw new DomainError('PAYMENT_PROVIDER_ERROR', 'The payment provider could not start a checkout; retry shortly', {
          retryable: true,
        });
      }
    },

    /** Best effort: a session that is paid anyway is booked (or refunded) by its webhook. */
    async expireCheckout(sessionId: string, context: Record<string, unknown>): Promise<void> {
      try {
        await stripe.checkout.sessions.expire(sessionId);
        logger.info({ checkoutSessionId: sessionId, ...context }, 'expired a Checkout Session that must no longer take a payment');
      } catch (error) {
        logger.warn({ err: error, checkoutSessionId: sessionId, ...context }, 'could not expire a Checkout Session');
      }
    },

    /**
     * Refunds a payment in full. Stripe dedupes on the idempotency key for 24 h, so a repeat after a
     * crash returns the same refund. Answers the refund's id, or null when Stripe says the charge
     * was refunded already; throws when Stripe could not be reached or refused.
     */
    async refund(paymentIntentId: string, idempotencyKey: string, metadata: Record<string, string>): Promise<string | null> {
      try {
        const refund = await stripe.refunds.create({ payment_intent: paymentIntentId, metadata }, { idempotencyKey });
        return refund.id;
      } catch (error) {
        if ((error as { code?: string }).code === 'charge_already_refunded') return null;
        throw error;
      }
    },

    ...authorizationCalls(stripe),

    /** Signs a payload as Stripe signs a webhook delivery to this endpoint (tests and local mode only). */
    signTestPayload(payload: string): string {
      return stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret });
    },

    /** Checks the signature over the raw bytes (and the 300 s timestamp tolerance) and reads the event. */
    verifyEvent(rawBody: Buffer, signature: string | undefined): VerifiedEvent {
      if (!signature) throw new InvalidWebhook('missing Stripe-Signature header');
      let event: unknown;
      try {
        event = stripe.webhooks.constructEvent(rawBody, signature, webhookSecret);
      } catch (error) {
        throw new InvalidWebhook((error as Error).message);
      }
      if (!looksLikeEvent(event)) throw new InvalidWebhook('the payload is not a Stripe event');
      return { id: event.id, type: event.type, checkout: checkoutEventOf(event) };
    },
  };
}

export type PaymentGateway = ReturnType<typeof stripeGateway>;
