import type { Db, MongoClient } from 'mongodb';
import { availabilityModule } from './availability';
import { bookingsModule } from './bookings';
import { capacityModule } from './capacity';
import type { Clock } from './clock';
import { type IdempotencyHooks, idempotencyModule } from './idempotency';
import { ledgerModule } from './ledger';
import { locksModule } from './locks';
import type { Logger } from './logger';
import type { AppMetrics } from './metrics';
import type { GroupCommitOptions } from './mongo';
import { type PaymentOptions, paymentsModule } from './payments';
import { usersModule } from './users';

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
  /** How long an unfinished request keeps its idempotency key before a retry may take it over. */
  idempotencyLeaseMs: number;
  /** Tests only: pause a request right after it took its idempotency key. */
  idempotencyHooks?: IdempotencyHooks;
  payments: PaymentOptions;
  /** How holds are group-committed (default `HOLD_BATCHING`); tests bound the queue with it. */
  holdBatching?: GroupCommitOptions;
  /** Where the services' hooks report (idempotency outcomes, background job runs); optional, they work without. */
  metrics?: AppMetrics;
}

/**
 * What a domain module's face may carry besides its services (README › Layout): the set-up of what
 * it owns, run by `buildApp` in this order without knowing what is behind it.
 */
export interface ModuleLifecycle {
  /** Awaited once at start, before anything serves: its collections' indexes (unique ones back several guarantees). */
  ensureIndexes?(): Promise<void>;
  /** Awaited before the server listens, so it sees every change from then on (availability's change feed). */
  open?(): Promise<void>;
  /** Its background jobs, once the server listens. */
  start?(): void;
  /** Before the server drains: the jobs end (a run in flight finishes). */
  stop?(): Promise<void>;
  /** After the server drained: what `open` started. */
  close?(): Promise<void>;
}

/** Every module's step of one phase, one module after the other. */
function lifecycleOf(modules: ModuleLifecycle[]) {
  const each = (step: (module: ModuleLifecycle) => Promise<void> | void | undefined) => async () => {
    for (const module of modules) await step(module);
  };
  return {
    ensureIndexes: each((module) => module.ensureIndexes?.()),
    open: each((module) => module.open?.()),
    start: () => modules.forEach((module) => module.start?.()),
    stop: each((module) => module.stop?.()),
    close: each((module) => module.close?.()),
  };
}

/**
 * The composition root of the domain: builds each module on its own collections and hands modules
 * each other's faces. Dependencies point one way (payments → bookings → capacity → users); where a
 * lower module must trigger a higher one (a released hold expires its Checkout Session, a
 * cancellation records a refund) it takes a callback wired here.
 */
export function createServices(deps: ServiceDeps) {
  const { client, db, clock, logger, metrics } = deps;
  const base = { client, db, clock, logger };
  const jobs = { locks: locksModule(base), onJobRun: metrics?.backgroundJobRun };
  const groupCommitObserver = metrics?.groupCommit;
  const users = usersModule(base);
  const idempotency = idempotencyModule({
    ...base,
    leaseMs: deps.idempotencyLeaseMs,
    hooks: deps.idempotencyHooks,
    onOutcome: metrics?.idempotencyOutcome,
  });
  const runIdempotent = idempotency.run;
  const capacity = capacityModule({ ...base, ...jobs, users, slotHorizonIntervalMs: deps.slotHorizonIntervalMs });
  const ledger = ledgerModule({ ...base, users, runIdempotent, groupCommitObserver });
  const bookings = bookingsModule({
    ledger,
    ...base,
    ...jobs,
    capacity,
    users,
    runIdempotent,
    holdTtlSeconds: deps.holdTtlSeconds,
    sweepIntervalMs: deps.sweepIntervalMs,
    holdBatching: deps.holdBatching,
    groupCommitObserver,
    // Payments are built on bookings; bookings reach them only once a hold ends or a booking is cancelled.
    payments: () => payments.forBookings,
  });
  const payments = paymentsModule({
    ...base,
    ...jobs,
    options: deps.payments,
    bookings,
    ledger,
    runIdempotent,
    refundRetryIntervalMs: deps.refundRetryIntervalMs,
  });
  const availability = availabilityModule({ ...base, capacity, ledger, onFannedOut: metrics?.changeFannedOut });

  return {
    clock,
    users,
    resources: capacity.resources,
    slotHorizon: capacity.horizonJob,
    accounts: ledger.accounts,
    ledger,
    holds: bookings.holds,
    sweeper: bookings.sweeper,
    bookings: bookings.bookings,
    balancePayments: bookings.balancePayments,
    checkout: payments.checkout,
    topUps: payments.topUps,
    refunds: payments.refunds,
    refundRetrier: payments.refundRetrier,
    stripeWebhooks: payments.webhooks,
    paymentGateway: payments.gateway,
    availability: availability.read,
    live: availability.live,
    liveAccounts: availability.accounts,
    changeFeedOpen: availability.feedOpen,
    lifecycle: lifecycleOf([idempotency, capacity, ledger, bookings, payments, availability]),
  };
}

export type Services = ReturnType<typeof createServices>;
