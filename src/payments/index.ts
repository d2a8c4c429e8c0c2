import type { Db, MongoClient } from 'mongodb';
import type { CheckoutSettlement, HoldService } from '../bookings';
import type { Clock } from '../clock';
import type { RunIdempotent } from '../idempotency';
import type { AccountService, LedgerService } from '../ledger';
import type { BackgroundJobSettings, LeaseLocks } from '../locks';
import type { Logger } from '../logger';
import { checkoutService } from './checkout';
import { holdPaymentHandler } from './holdPayments';
import { refundRetrier } from './refundRetrier';
import { refundSender, refundsCollection } from './refunds';
import { stripeEventsCollection } from './stripeEvents';
import { stripeGateway } from './stripeGateway';
import type { PaymentOptions } from './stripeSetup';
import { topUpService, topUpsCollection } from './topUps';
import { webhookProcessor } from './webhookProcessor';

export { type CheckoutHoldResult, type CheckoutStartedResult, type HoldExpiredResult, type HoldNotFoundResult } from './checkout';
export { ensureRefundIndexes, refundIdempotencyKey, type RefundDoc, refundsCollection } from './refunds';
export { REFUND_RETRY_LOCK } from './refundRetrier';
export type { StripeEventDoc } from './stripeEvents';
export { type CheckoutEvent, InvalidWebhook } from './stripeGateway';
export { connectStripe, MOCK_SECRET_KEY, type PaymentOptions, type StripeConfig, type StripeConnection } from './stripeSetup';
export { type TopUpStartedResult, topUpsCollection } from './topUps';
export type { WebhookProcessor } from './webhookProcessor';

export interface PaymentsDeps {
  client: MongoClient;
  db: Db;
  options: PaymentOptions;
  holds: HoldService;
  settlement: CheckoutSettlement;
  ledger: LedgerService;
  accounts: AccountService;
  runIdempotent: RunIdempotent;
  locks: LeaseLocks;
  clock: Clock;
  logger: Logger;
  /** How often this instance tries to retry pending refunds (and once at start); 0 = never on its own. */
  refundRetryIntervalMs: number;
  /** Told about each refund-retrier run (metrics). */
  onJobRun?: BackgroundJobSettings['onRun'];
}

/**
 * Payments own the Stripe side: Checkout for holds and top-ups, refunds (their own `refunds`
 * collection), and webhook events (`stripeEvents`). Stripe itself is reached only through the
 * gateway; bookings and the ledger are changed only through their own functions.
 */
export function paymentsModule(deps: PaymentsDeps) {
  const { client, db, clock, logger, runIdempotent } = deps;
  const gateway = stripeGateway({ ...deps.options, logger });
  const pendingRefunds = refundsCollection(db);
  const refunds = refundSender({ refunds: pendingRefunds, gateway, clock, logger });
  const checkout = checkoutService({ client, holds: deps.holds, gateway, runIdempotent, clock });
  const topUps = topUpService({
    topUps: topUpsCollection(db),
    ledger: deps.ledger,
    accounts: deps.accounts,
    gateway,
    runIdempotent,
    clock,
    logger,
  });
  return {
    gateway,
    checkout,
    topUps,
    refunds,
    refundRetrier: refundRetrier({
      pending: pendingRefunds,
      refunds,
      locks: deps.locks,
      clock,
      logger,
      intervalMs: deps.refundRetryIntervalMs,
      onRun: deps.onJobRun,
    }),
    webhooks: webhookProcessor({
      client,
      events: stripeEventsCollection(db),
      gateway,
      handlers: { hold: holdPaymentHandler({ settlement: deps.settlement, refunds, logger }), topup: topUps.handler },
      clock,
      logger,
    }),
  };
}

export type Payments = ReturnType<typeof paymentsModule>;
