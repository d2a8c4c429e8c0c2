import type { Db, MongoClient } from 'mongodb';
import { availabilityReader, createFanout, liveAvailability } from './availability';
import {
  bookingCollections,
  bookingService,
  checkoutSettlement,
  ensureBookingIndexes,
  type HoldDocument,
  holdService,
  holdSweeper,
} from './bookings';
import { capacityCollections, capacityModule, ensureCapacityIndexes } from './capacity';
import type { Clock } from './clock';
import { ensureIdempotencyIndexes, type IdempotencyHooks, idempotencyCollection, idempotencyRunner } from './idempotency';
import { accountService, ensureLedgerIndexes, ledgerCollections, ledgerService } from './ledger';
import { leaseLocks, locksCollection } from './locks';
import type { Logger } from './logger';
import type { AppMetrics } from './metrics';
import type { GroupCommitOptions, TransactionStats } from './mongo';
import { ensureRefundIndexes, type PaymentOptions, paymentsModule, refundsCollection } from './payments';
import { userService, usersCollection } from './users';

export interface ServiceDeps {
  client: MongoClient;
  db: Db;
  clock: Clock;
  logger: Logger;
  holdTtlSeconds: number;
  /** How often this instance tries to sweep expired holds; 0 = never on its own. */
  sweepIntervalMs: number;
  /** How often this instance tries to retry pending refunds (and once at start); 0 = never on its own. */
  refundRetryIntervalMs: number;
  /** How often this instance tries to extend the resources' slot horizons (and once at start); 0 = never on its own. */
  slotHorizonIntervalMs: number;
  idempotencyLeaseMs: number;
  idempotencyHooks?: IdempotencyHooks;
  payments: PaymentOptions;
  holdBatching?: GroupCommitOptions;
  /** Where the services' hooks report (idempotency outcomes, background job runs); optional, they work without. */
  metrics?: AppMetrics;
}

/**
 * The composition root of the domain: builds each module on its own collections and hands modules
 * each other's public functions. Dependencies point one way (payments → bookings → capacity →
 * users); where a lower module must trigger a higher one (a released hold expires its Checkout
 * Session, a cancellation records a refund) it takes a callback wired here.
 */
export function createServices(deps: ServiceDeps) {
  const { client, db, clock, logger, holdTtlSeconds } = deps;
  const users = userService(usersCollection(db), client, clock);
  const locks = leaseLocks(locksCollection(db), clock);
  const capacity = capacityModule({
    client,
    db,
    users,
    clock,
    locks,
    logger,
    slotHorizonIntervalMs: deps.slotHorizonIntervalMs,
    onJobRun: deps.metrics?.backgroundJobRun,
  });
  const runIdempotent = idempotencyRunner({
    keys: idempotencyCollection(db),
    clock,
    logger,
    leaseMs: deps.idempotencyLeaseMs,
    hooks: deps.idempotencyHooks,
    onOutcome: deps.metrics?.idempotencyOutcome,
  });
  const transactionStats: TransactionStats = { runs: 0, attempts: 0 };
  const ledgerStore = ledgerCollections(db);
  const accounts = accountService(ledgerStore.accounts, clock);
  const ledger = ledgerService({
    client,
    users,
    collections: ledgerStore,
    accounts,
    runIdempotent,
    clock,
    transactionStats,
    groupCommitObserver: deps.metrics?.groupCommit,
  });

  const bookingStore = bookingCollections(db);
  const expireCheckoutOf = (hold: HoldDocument) => payments.checkout.expireSessionOf(hold);
  const holds = holdService({
    client,
    holds: bookingStore.holds,
    capacity,
    runIdempotent,
    clock,
    holdTtlSeconds,
    users,
    afterRelease: expireCheckoutOf,
    groupCommitObserver: deps.metrics?.groupCommit,
    batching: deps.holdBatching,
  });
  const settlement = checkoutSettlement({ collections: bookingStore, claims: capacity.claims, clock });
  const payments = paymentsModule({
    client,
    db,
    options: deps.payments,
    holds,
    settlement,
    ledger,
    accounts,
    runIdempotent,
    locks,
    clock,
    logger,
    refundRetryIntervalMs: deps.refundRetryIntervalMs,
    onJobRun: deps.metrics?.backgroundJobRun,
  });

  return {
    clock,
    transactionStats,
    users,
    accounts,
    ledger,
    resources: capacity.resources,
    holds,
    availability: availabilityReader(capacity.slots, capacity.resources, clock),
    sweeper: holdSweeper({
      client,
      holds: bookingStore.holds,
      claims: capacity.claims,
      locks,
      clock,
      logger,
      intervalMs: deps.sweepIntervalMs,
      onExpired: expireCheckoutOf,
      onRun: deps.metrics?.backgroundJobRun,
    }),
    slotHorizon: capacity.horizonJob,
    checkout: payments.checkout,
    topUps: payments.topUps,
    refunds: payments.refunds,
    refundRetrier: payments.refundRetrier,
    bookings: bookingService({
      client,
      bookings: bookingStore.bookings,
      claims: capacity.claims,
      runIdempotent,
      clock,
      refunds: payments.refunds.port,
    }),
    stripeWebhooks: payments.webhooks,
    paymentGateway: payments.gateway,
    live: liveAvailability({ fanout: createFanout(), resources: capacity.resources, clock }),
    /** Read-only: the change feed watches it. */
    slots: capacity.slots,
  };
}

export type Services = ReturnType<typeof createServices>;

/** Awaited once at start: the unique indexes are what make several guarantees hold. */
export async function ensureIndexes(db: Db): Promise<void> {
  await ensureCapacityIndexes(capacityCollections(db));
  await ensureBookingIndexes(bookingCollections(db));
  await ensureIdempotencyIndexes(idempotencyCollection(db));
  await ensureLedgerIndexes(ledgerCollections(db));
  await ensureRefundIndexes(refundsCollection(db));
}
