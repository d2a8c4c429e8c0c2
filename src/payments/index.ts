import type { Db, MongoClient } from 'mongodb';
import type { Bookings, PaymentHooks } from '../bookings';
import type { Clock } from '../clock';
import type { RunIdempotent } from '../idempotency';
import type { Ledger } from '../ledger';
import type { BackgroundJobSettings, LeaseLocks } from '../locks';
import type { Logger } from '../logger';
import { cardAuthorizations, cardAuthorizationsCollection, ensureCardAuthorizationIndexes } from './cardAuthorizations';
import { checkoutService } from './checkout';
import { holdPaymentHandler } from './holdPayments';
import { refundRetrier } from './refundRetrier';
import { ensureRefundIndexes, refundSender, refundsCollection } from './refunds';
import { stripeEventsCollection } from './stripeEvents';
import { stripeGateway } from './stripeGateway';
import type { PaymentOptions } from './stripeSetup';
import { topUpService, topUpsCollection } from './topUps';
import { webhookProcessor } from './webhookProcessor';

export type { CardAuthorizationDoc } from './cardAuthorizations';
export { captureIdempotencyKey, voidIdempotencyKey } from './cardAuthorizations';
export type { RefundDoc } from './refunds';
export { refundIdempotencyKey } from './refunds';
export type { StripeEventDoc } from './stripeEvents';
export { createStripeClient } from './stripeClient';
export { CAPTURE_METADATA_KEY, type CaptureMethod, InvalidWebhook } from './stripeGateway';
export { connectStripe, MOCK_SECRET_KEY, type PaymentOptions, type StripeConfig, type StripeConnection } from './stripeSetup';
export type { WebhookProcessor } from './webhookProcessor';

export interface PaymentsDeps {
  client: MongoClient;
  db: Db;
  clock: Clock;
  logger: Logger;
  options: PaymentOptions;
  bookings: Pick<Bookings, 'holds' | 'checkoutOutcomes'>;
  ledger: Pick<Ledger, 'accounts' | 'depositWithin'>;
  runIdempotent: RunIdempotent;
  locks: LeaseLocks;
  /** How often this instance tries to retry pending refunds, captures and voids (and once at start); 0 = never on its own. */
  refundRetryIntervalMs: number;
  /** Told about each refund-retrier run (metrics). */
  onJobRun?: BackgroundJobSettings['onRun'];
}

/**
 * Payments own the Stripe side: Checkout for holds and top-ups, the captures and voids of card
 * authorizations (`cardAuthorizations`), refunds (`refunds`), and webhook events (`stripeEvents`,
 * `topUps`). Stripe itself is reached only through the gateway; bookings and the ledger are changed
 * only through their own functions. Its background work is the refund retrier, which also retries
 * captures and voids.
 */
export function paymentsModule(deps: PaymentsDeps) {
  const { client, db, clock, logger, runIdempotent } = deps;
  const gateway = stripeGateway({ ...deps.options, logger });
  const pendingRefunds = refundsCollection(db);
  const pendingAuthorizations = cardAuthorizationsCollection(db);
  const outcomes = deps.bookings.checkoutOutcomes;
  const authorizations = cardAuthorizations({ client, calls: pendingAuthorizations, outcomes, gateway, clock, logger });
  const refunds = refundSender({ refunds: pendingRefunds, charges: authorizations.charges, gateway, clock, logger });
  const checkout = checkoutService({ client, holds: deps.bookings.holds, gateway, runIdempotent, clock });
  const topUps = topUpService({
    topUps: topUpsCollection(db),
    ledger: deps.ledger,
    accounts: deps.ledger.accounts,
    gateway,
    runIdempotent,
    clock,
    logger,
  });
  const retrier = refundRetrier({
    // Captures and voids first: a refund waits for its booking's capture.
    kinds: [
      { name: 'card authorization', pending: pendingAuthorizations as never, send: authorizations.send },
      { name: 'refund', pending: pendingRefunds as never, send: refunds.send },
    ],
    locks: deps.locks,
    clock,
    logger,
    intervalMs: deps.refundRetryIntervalMs,
    onRun: deps.onJobRun,
  });
  const holdPayments = holdPaymentHandler({ outcomes, refunds, authorizations, logger });
  return {
    gateway,
    checkout,
    topUps,
    refunds,
    authorizations,
    refundRetrier: retrier,
    webhooks: webhookProcessor({
      client,
      events: stripeEventsCollection(db),
      gateway,
      handlers: { hold: holdPayments, topup: topUps.handler },
      clock,
      logger,
    }),
    /** What bookings call back (services.ts hands it to them). */
    forBookings: { holdEnded: checkout.expireSessionOf, refunds: refunds.port } satisfies PaymentHooks,
    /** The retrier's scans of pending refunds, captures and voids. */
    ensureIndexes: async () => {
      await ensureRefundIndexes(pendingRefunds);
      await ensureCardAuthorizationIndexes(pendingAuthorizations);
    },
    start: retrier.start,
    stop: retrier.stop,
  };
}

export type Payments = ReturnType<typeof paymentsModule>;
