import type { ClientSession, Collection, MongoClient } from 'mongodb';
import type Stripe from 'stripe';
import type { Caller } from '../auth/token';
import type { HoldDoc, HoldDocument } from '../bookings/collections';
import type { Clock } from '../clock';
import { DomainError, badInput } from '../errors';
import type { KeyUse, RunIdempotent } from '../idempotency/keys';
import type { Logger } from '../logger';
import { findById } from '../mongo/ids';
import { withTransaction } from '../mongo/transaction';

/** Stripe refuses `expires_at` under 30 minutes or over 24 hours from creation; a minute of margin each side. */
export const MIN_SESSION_SECONDS = 31 * 60;
export const MAX_SESSION_SECONDS = 24 * 60 * 60 - 60;

export interface CheckoutStartedResult {
  __typename: 'CheckoutStarted';
  hold: HoldDocument;
  checkoutUrl: string;
  checkoutSessionId: string;
}

export interface HoldExpiredResult {
  __typename: 'HoldExpired';
  hold: HoldDocument;
}

export interface HoldNotFoundResult {
  __typename: 'HoldNotFound';
  holdId: string;
}

export type CheckoutHoldResult = CheckoutStartedResult | HoldExpiredResult | HoldNotFoundResult;

export interface CheckoutHoldInput {
  holdId: string;
  idempotencyKey: string;
}

export interface CheckoutDeps {
  client: MongoClient;
  holds: Collection<HoldDoc>;
  stripe: Stripe;
  runIdempotent: RunIdempotent;
  clock: Clock;
  logger: Logger;
  successUrl: string;
  cancelUrl: string;
}

/**
 * When Stripe should expire the session: at the hold's expiry when Stripe allows it, else as near
 * as it allows. A session that outlives its hold can still be paid; the webhook then re-claims the
 * dates or refunds.
 */
export function sessionExpiresAt(holdExpiresAt: Date, now: Date): number {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const wanted = Math.floor(holdExpiresAt.getTime() / 1000);
  return Math.min(Math.max(wanted, nowSeconds + MIN_SESSION_SECONDS), nowSeconds + MAX_SESSION_SECONDS);
}

function started(hold: HoldDocument): CheckoutStartedResult {
  return { __typename: 'CheckoutStarted', hold, checkoutUrl: hold.checkout!.url, checkoutSessionId: hold.checkout!.sessionId };
}

export function checkoutService(deps: CheckoutDeps) {
  const { client, holds, stripe, runIdempotent, clock, logger } = deps;

  /**
   * Every parameter is derived from the hold and from when the request's idempotency key was first
   * claimed, so a retry (also one that took over a dead request's key) sends identical parameters
   * under the same Stripe idempotency key and gets the same session back instead of a second one.
   * The key names the expiry too: when clamping moves it, the parameters differ and so must the key.
   */
  async function createSession(hold: HoldDocument, claimedAt: Date): Promise<Stripe.Checkout.Session> {
    const holdId = hold._id.toHexString();
    const expiresAt = sessionExpiresAt(hold.expiresAt, claimedAt);
    try {
      return await stripe.checkout.sessions.create(
        {
          mode: 'payment',
          client_reference_id: holdId,
          metadata: { purpose: 'hold', holdId, userId: hold.userId },
          payment_intent_data: { metadata: { purpose: 'hold', holdId } },
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: hold.currency.toLowerCase(),
                unit_amount: hold.amount,
                product_data: {
                  name: `Booking of ${hold.dates.length} date(s): ${hold.dates.slice(0, 5).join(', ')}${hold.dates.length > 5 ? ', …' : ''}`,
                },
              },
            },
          ],
          expires_at: expiresAt,
          success_url: deps.successUrl,
          cancel_url: deps.cancelUrl,
        },
        { idempotencyKey: `checkout-hold-${holdId}-${expiresAt}` },
      );
    } catch (error) {
      logger.error({ err: error, holdId }, 'Stripe refused to create a Checkout Session');
      throw new DomainError('PAYMENT_PROVIDER_ERROR', 'The payment provider could not start a checkout; retry shortly', {
        retryable: true,
      });
    }
  }

  /** Records the session only while the hold is still held, unexpired and without a session. */
  async function recordSession(session: ClientSession, hold: HoldDocument, created: Stripe.Checkout.Session, now: Date) {
    return holds.findOneAndUpdate(
      { _id: hold._id, state: 'held', expiresAt: { $gt: now }, checkout: { $exists: false } },
      { $set: { checkout: { sessionId: created.id, url: created.url!, expiresAt: new Date(created.expires_at * 1000) }, updatedAt: now } },
      { session, returnDocument: 'after' },
    );
  }

  async function expireSession(sessionId: string, holdId: string): Promise<void> {
    try {
      await stripe.checkout.sessions.expire(sessionId);
      logger.info({ checkoutSessionId: sessionId, holdId }, 'expired the Checkout Session of a hold that no longer holds');
    } catch (error) {
      // Best effort: a session that is paid anyway is refunded by the webhook.
      logger.warn({ err: error, checkoutSessionId: sessionId, holdId }, 'could not expire a Checkout Session');
    }
  }

  async function startCheckout(
    caller: Caller,
    holdId: string,
    record: (s: ClientSession, r: CheckoutHoldResult) => Promise<void>,
    key: KeyUse,
  ): Promise<CheckoutHoldResult> {
    const hold = await findById(holds, holdId);
    // Only the owner pays for a hold; someone else's is answered like a missing one, so ids cannot be probed.
    if (!hold || hold.userId !== caller.id) return { __typename: 'HoldNotFound', holdId };
    if (hold.state === 'confirmed') throw badInput('holdId', 'this hold is already paid for');
    const now = clock.now();
    if (hold.state !== 'held' || hold.expiresAt <= now) return { __typename: 'HoldExpired', hold };
    if (hold.checkout) return started(hold);

    const created = await createSession(hold, key.claimedAt);
    const recorded = await withTransaction(client, async (session) => {
      const updated = await recordSession(session, hold, created, now);
      if (!updated) return null;
      const result = started(updated);
      await record(session, result);
      return result;
    });
    if (recorded) return recorded;

    // Another request recorded its session first, or the hold lapsed meanwhile: ours must not stay payable.
    const current = (await holds.findOne({ _id: hold._id }))!;
    if (current.checkout?.sessionId !== created.id) await expireSession(created.id, holdId);
    if (current.state === 'held' && current.checkout && current.expiresAt > clock.now()) return started(current);
    if (current.state === 'confirmed') throw badInput('holdId', 'this hold is already paid for');
    return { __typename: 'HoldExpired', hold: current };
  }

  return {
    checkoutHold(caller: Caller, input: CheckoutHoldInput): Promise<CheckoutHoldResult> {
      return runIdempotent<CheckoutHoldResult>(
        { scope: `${caller.id}:checkoutHold`, key: input.idempotencyKey, input: { holdId: input.holdId } },
        (record, key) => startCheckout(caller, input.holdId, record, key),
      );
    },

    /** Called after a hold is released: its open session must not take a payment for dates it no longer holds. */
    async expireSessionOf(hold: HoldDocument): Promise<void> {
      if (hold.checkout) await expireSession(hold.checkout.sessionId, hold._id.toHexString());
    },
  };
}

export type CheckoutService = ReturnType<typeof checkoutService>;
