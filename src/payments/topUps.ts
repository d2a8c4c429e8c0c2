import type { Collection, Db, ObjectId, WithId } from 'mongodb';
import { assert } from '../assert';
import type { Caller } from '../auth';
import type { Clock } from '../clock';
import { badInput } from '../errors';
import type { RunIdempotent } from '../idempotency';
import type { Ledger } from '../ledger';
import type { Logger } from '../logger';
import { parseObjectId } from '../mongo';
import type { CheckoutHandler } from './checkoutEvents';
import { MIN_SESSION_SECONDS, type PaymentGateway, type StartedCheckout } from './stripeGateway';

/** Stripe Checkout's ceiling for one payment, in minor units. */
export const MAX_TOP_UP = 99_999_999;

export interface TopUpDoc {
  accountId: ObjectId;
  userId: string;
  amount: number;
  currency: string;
  /** `open` until Stripe reports the session paid (`credited`) or expired unpaid (`expired`). */
  state: 'open' | 'credited' | 'expired';
  checkoutSessionId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type TopUpDocument = WithId<TopUpDoc>;

export interface TopUpStartedResult {
  __typename: 'TopUpStarted';
  topUpId: string;
  checkoutUrl: string;
  checkoutSessionId: string;
}

export interface TopUpInput {
  accountId: string;
  amount: number;
  idempotencyKey: string;
}

export function topUpsCollection(db: Db): Collection<TopUpDoc> {
  return db.collection<TopUpDoc>('topUps');
}

export interface TopUpDeps {
  topUps: Collection<TopUpDoc>;
  ledger: Pick<Ledger, 'depositWithin'>;
  accounts: Ledger['accounts'];
  gateway: PaymentGateway;
  runIdempotent: RunIdempotent;
  clock: Clock;
  logger: Logger;
}

/**
 * Wallet top-ups through Stripe Checkout. The top-up is recorded before Stripe is called, so a
 * session always has a record to land on; its completed event credits the account through the
 * ledger's deposit path in the same transaction that records the event, exactly once.
 */
export function topUpService(deps: TopUpDeps) {
  const { topUps, clock, logger } = deps;

  function openSession(topUp: TopUpDocument): Promise<StartedCheckout> {
    const topUpId = topUp._id.toHexString();
    return deps.gateway.startCheckout({
      purpose: 'topup',
      capture: 'automatic',
      reference: topUpId,
      metadata: { topUpId, accountId: topUp.accountId.toHexString() },
      amount: topUp.amount,
      currency: topUp.currency,
      description: 'Account top-up',
      expiresAt: Math.floor(topUp.createdAt.getTime() / 1000) + MIN_SESSION_SECONDS,
      idempotencyKey: `checkout-topup-${topUpId}`,
    });
  }

  const handler: CheckoutHandler = {
    async apply(session, { step, sessionId, metadata, reference }) {
      const id = metadata.topUpId ?? reference;
      const _id = id ? parseObjectId(id) : undefined;
      const now = clock.now();
      // Top-ups are captured automatically: an authorization alone (never asked for) is no money either.
      if (step === 'awaiting_payment' || step === 'authorized') return { outcome: 'awaiting_payment' };
      if (step === 'unpaid') {
        const expired =
          _id && (await topUps.updateOne({ _id, state: 'open' }, { $set: { state: 'expired', updatedAt: now } }, { session }));
        return { outcome: expired && expired.modifiedCount === 1 ? 'expired' : 'nothing_to_do' };
      }
      // Paid: money arrived, so credit it even if an expiry was reported first (out of order).
      const paid =
        _id &&
        (await topUps.findOneAndUpdate(
          { _id, state: { $in: ['open', 'expired'] } },
          { $set: { state: 'credited', checkoutSessionId: sessionId, updatedAt: now } },
          { session },
        ));
      if (!paid) {
        logger.warn({ checkoutSessionId: sessionId, topUpId: id }, 'paid top-up event for an unknown or already credited top-up');
        return { outcome: 'nothing_to_do' };
      }
      await deps.ledger.depositWithin(session, { _id: paid.accountId, currency: paid.currency }, paid.amount, now);
      return { outcome: 'credited' };
    },
    async resume() {},
  };

  return {
    handler,

    /** Owner only. Retries with the same key return the same session. */
    topUp(caller: Caller, input: TopUpInput): Promise<TopUpStartedResult> {
      if (input.amount > MAX_TOP_UP) throw badInput('amount', `must be at most ${MAX_TOP_UP} minor units per top-up`);
      return deps.runIdempotent<TopUpStartedResult>(
        { scope: `${caller.id}:topUp`, key: input.idempotencyKey, input: { accountId: input.accountId, amount: input.amount } },
        async (_record, { id: keyId }) => {
          const account = await deps.accounts.requireOwned(caller, input.accountId, 'accountId');
          const now = clock.now();
          // The top-up is the key's: a retry that took over a dead request's key finds the same
          // record and so sends Stripe the same idempotency key and parameters (one session).
          const topUp = await topUps.findOneAndUpdate(
            { _id: keyId },
            {
              $setOnInsert: {
                accountId: account._id,
                userId: caller.id,
                amount: input.amount,
                currency: account.currency,
                state: 'open',
                checkoutSessionId: null,
                createdAt: now,
                updatedAt: now,
              },
            },
            { upsert: true, returnDocument: 'after' },
          );
          assert(topUp, `an upsert of top-up ${keyId.toHexString()} returns the top-up`);
          const created = await openSession(topUp);
          await topUps.updateOne({ _id: keyId, checkoutSessionId: null }, { $set: { checkoutSessionId: created.sessionId } });
          return {
            __typename: 'TopUpStarted',
            topUpId: keyId.toHexString(),
            checkoutUrl: created.url,
            checkoutSessionId: created.sessionId,
          };
        },
      );
    },
  };
}
