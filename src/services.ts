import type { Db, MongoClient } from 'mongodb';
import { createFanout } from './availability/fanout';
import { liveAvailability } from './availability/service';
import { availabilityReader } from './bookings/availability';
import { bookingsCollection, ensureBookingRecordIndexes } from './bookings/bookingRecords';
import { bookingService } from './bookings/cancellation';
import { checkoutSettlement } from './bookings/checkoutSettlement';
import { bookingCollections, ensureBookingIndexes } from './bookings/collections';
import { holdService } from './bookings/holds';
import { slotCreator } from './bookings/slots';
import { holdSweeper } from './bookings/sweeper';
import type { Clock } from './clock';
import { ensureIdempotencyIndexes, type IdempotencyHooks, idempotencyCollection, idempotencyRunner } from './idempotency/keys';
import { ledgerService } from './ledger';
import { accountService } from './ledger/accounts';
import { ensureLedgerIndexes, ledgerCollections } from './ledger/collections';
import { debitBatcher } from './ledger/debitBatcher';
import { leaseLocks, locksCollection } from './locks/lease';
import type { Logger } from './logger';
import type { TransactionStats } from './mongo/transaction';
import { checkoutService } from './payments/checkout';
import { holdPaymentHandler } from './payments/holdPayments';
import { refundRetrier } from './payments/refundRetrier';
import { refundSender } from './payments/refunds';
import { stripeEventsCollection } from './payments/stripeEvents';
import type { PaymentOptions } from './payments/stripeSetup';
import { topUpService, topUpsCollection } from './payments/topUps';
import { webhookProcessor } from './payments/webhookProcessor';
import { resourcesCollection } from './resources/collection';
import { resourceService } from './resources/service';
import { usersCollection } from './users/collection';
import { userService } from './users/service';

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
  idempotencyLeaseMs: number;
  idempotencyHooks?: IdempotencyHooks;
  payments: PaymentOptions;
}

/** Wires every domain service to its collections; the only place that knows all of them. */
export function createServices(deps: ServiceDeps) {
  const { client, db, clock, logger, holdTtlSeconds, sweepIntervalMs, payments } = deps;
  const bookings = bookingCollections(db);
  const bookingRecords = bookingsCollection(db);
  const users = userService(usersCollection(db), client, clock);
  const resources = resourceService({ client, resources: resourcesCollection(db), slots: bookings.slots, users, clock });
  const runIdempotent = idempotencyRunner({
    keys: idempotencyCollection(db),
    clock,
    logger,
    leaseMs: deps.idempotencyLeaseMs,
    hooks: deps.idempotencyHooks,
  });
  const ledger = ledgerCollections(db);
  const accounts = accountService(ledger.accounts, clock);
  const transactionStats: TransactionStats = { runs: 0, attempts: 0 };
  const { stripe } = payments;
  const locks = leaseLocks(locksCollection(db), clock);
  const refunds = refundSender({ bookings: bookingRecords, stripe, clock, logger });
  const checkout = checkoutService({ client, holds: bookings.holds, runIdempotent, clock, logger, ...payments });
  const settlement = checkoutSettlement({ collections: bookings, bookings: bookingRecords, clock });
  const topUps = topUpService({
    topUps: topUpsCollection(db),
    ledger,
    accounts,
    runIdempotent,
    clock,
    logger,
    ...payments,
  });
  return {
    clock,
    transactionStats,
    users,
    accounts,
    ledger: ledgerService({
      client,
      users,
      collections: ledger,
      accounts,
      runIdempotent,
      debits: debitBatcher(client, transactionStats),
      clock,
      transactionStats,
    }),
    resources,
    holds: holdService({
      client,
      collections: bookings,
      resources,
      runIdempotent,
      clock,
      holdTtlSeconds,
      users,
      ensureSlots: slotCreator(client, bookings.slots, resourcesCollection(db), clock),
      afterRelease: checkout.expireSessionOf,
    }),
    availability: availabilityReader(bookings.slots, resources, clock),
    sweeper: holdSweeper({
      client,
      collections: bookings,
      locks,
      clock,
      logger,
      intervalMs: sweepIntervalMs,
      onExpired: checkout.expireSessionOf,
    }),
    checkout,
    topUps,
    refunds,
    refundRetrier: refundRetrier({
      bookings: bookingRecords,
      refunds,
      locks,
      clock,
      logger,
      intervalMs: deps.refundRetryIntervalMs,
    }),
    bookings: bookingService({
      client,
      slots: bookings.slots,
      bookings: bookingRecords,
      runIdempotent,
      clock,
      sendRefund: refunds.sendQuietly,
    }),
    stripeWebhooks: webhookProcessor({
      client,
      events: stripeEventsCollection(db),
      stripe,
      webhookSecret: payments.webhookSecret,
      handlers: { hold: holdPaymentHandler({ settlement, bookings: bookingRecords, refunds, logger }), topup: topUps.handler },
      clock,
      logger,
    }),
    live: liveAvailability({ fanout: createFanout(), resources, clock }),
  };
}

export type Services = ReturnType<typeof createServices>;

/** Awaited once at start: the unique indexes are what make several guarantees hold. */
export async function ensureIndexes(db: Db): Promise<void> {
  await ensureBookingIndexes(bookingCollections(db));
  await ensureIdempotencyIndexes(idempotencyCollection(db));
  await ensureLedgerIndexes(ledgerCollections(db));
  await ensureBookingRecordIndexes(bookingsCollection(db));
}
