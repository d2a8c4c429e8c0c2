import type { ClientSession, MongoClient } from 'mongodb';
import { assert } from '../assert';
import type { Caller } from '../auth';
import { type HoldDocument, type HoldExpiredResult, type HoldNotFoundResult, type HoldService, isHoldLive } from '../bookings';
import type { Clock } from '../clock';
import { badInput } from '../errors';
import type { KeyUse, RunIdempotent } from '../idempotency';
import { withTransaction } from '../mongo';
import { MAX_SESSION_SECONDS, MIN_SESSION_SECONDS, type PaymentGateway, type StartedCheckout } from './stripeGateway';

export interface CheckoutStartedResult {
  __typename: 'CheckoutStarted';
  hold: HoldDocument;
  checkoutUrl: string;
  checkoutSessionId: string;
}

export type { HoldExpiredResult } from '../bookings';

export type CheckoutHoldResult = CheckoutStartedResult | HoldExpiredResult | HoldNotFoundResult;

export interface CheckoutHoldInput {
  holdId: string;
  idempotencyKey: string;
}

export interface CheckoutDeps {
  client: MongoClient;
  holds: HoldService;
  gateway: PaymentGateway;
  runIdempotent: RunIdempotent;
  clock: Clock;
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

/** For a hold with a session: its caller checked `hold.checkout`, or `attachCheckout` just set it. */
function started(hold: HoldDocument): CheckoutStartedResult {
  assert(hold.checkout, `hold ${hold._id.toHexString()} has a Checkout Session`);
  return { __typename: 'CheckoutStarted', hold, checkoutUrl: hold.checkout.url, checkoutSessionId: hold.checkout.sessionId };
}

export function checkoutService(deps: CheckoutDeps) {
  const { client, holds, gateway, runIdempotent, clock } = deps;

  /**
   * Every parameter is derived from the hold and from when the request's idempotency key was first
   * taken, so a retry (also one that took over a dead request's key) sends identical parameters
   * under the same Stripe idempotency key and gets the same session back instead of a second one.
   * The key names the expiry too: when clamping moves it, the parameters differ and so must the key.
   */
  function openSession(hold: HoldDocument, keyTakenAt: Date): Promise<StartedCheckout> {
    const holdId = hold._id.toHexString();
    const expiresAt = sessionExpiresAt(hold.expiresAt, keyTakenAt);
    const shown = hold.dates.slice(0, 5).join(', ') + (hold.dates.length > 5 ? ', …' : '');
    return gateway.startCheckout({
      purpose: 'hold',
      // The card is only authorized: captured once the hold is confirmed, voided if it was lost meanwhile.
      capture: 'manual',
      reference: holdId,
      metadata: { holdId, userId: hold.userId },
      amount: hold.amount,
      currency: hold.currency,
      description: `Booking of ${hold.dates.length} date(s): ${shown}`,
      expiresAt,
      idempotencyKey: `checkout-hold-${holdId}-${expiresAt}`,
    });
  }

  const expireSession = (sessionId: string, holdId: string) => gateway.expireCheckout(sessionId, { holdId });

  async function startCheckout(
    caller: Caller,
    holdId: string,
    record: (s: ClientSession, r: CheckoutHoldResult) => Promise<void>,
    key: KeyUse,
  ): Promise<CheckoutHoldResult> {
    const hold = await holds.findHold(caller, holdId);
    // Only the owner pays for a hold; someone else's is answered like a missing one, so ids cannot be probed.
    if (!hold || hold.userId !== caller.id) return { __typename: 'HoldNotFound', holdId };
    if (hold.state === 'confirmed') throw badInput('holdId', 'this hold is already paid for');
    // Its money is held from an account until it lapses: a card payment would leave it reserved for nothing.
    if (hold.reservation) throw badInput('holdId', 'this hold reserves money from an account: pay it with payHold');
    const now = clock.now();
    if (!isHoldLive(hold, now)) return { __typename: 'HoldExpired', hold };
    if (hold.checkout) return started(hold);

    const created = await openSession(hold, key.takenAt);
    const recorded = await withTransaction(client, async (session) => {
      const updated = await holds.attachCheckout(session, hold._id, created, now);
      if (!updated) return null;
      const result = started(updated);
      await record(session, result);
      return result;
    });
    if (recorded) return recorded;

    // Another request recorded its session first, or the hold lapsed meanwhile: ours must not stay payable.
    const current = await holds.current(hold._id);
    if (current.checkout?.sessionId !== created.sessionId) await expireSession(created.sessionId, holdId);
    if (current.checkout && isHoldLive(current, clock.now())) return started(current);
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
