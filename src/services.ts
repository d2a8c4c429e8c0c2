import type { Db, MongoClient } from 'mongodb';
import { availabilityReader } from './bookings/availability';
import { bookingCollections, ensureBookingIndexes } from './bookings/collections';
import { holdService } from './bookings/holds';
import type { Clock } from './clock';
import { ensureIdempotencyIndexes, idempotencyCollection, idempotencyRunner } from './idempotency/keys';
import { accountService } from './ledger/accounts';
import { ensureLedgerIndexes, ledgerCollections } from './ledger/collections';
import { ledgerService } from './ledger';
import { debitBatcher } from './ledger/debitBatcher';
import type { TransactionStats } from './mongo/transaction';
import { resourcesCollection } from './resources/collection';
import { resourceService } from './resources/service';
import { slotCreator } from './bookings/slots';
import { holdSweeper } from './bookings/sweeper';
import { leaseLocks, locksCollection } from './locks/lease';
import type { Logger } from './logger';
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
}

/** Wires every domain service to its collections; the only place that knows all of them. */
export function createServices({ client, db, clock, logger, holdTtlSeconds, sweepIntervalMs }: ServiceDeps) {
  const bookings = bookingCollections(db);
  const users = userService(usersCollection(db), client, clock);
  const resources = resourceService({ client, resources: resourcesCollection(db), slots: bookings.slots, users, clock });
  const runIdempotent = idempotencyRunner(idempotencyCollection(db), clock);
  const ledger = ledgerCollections(db);
  const accounts = accountService(ledger.accounts, clock);
  const transactionStats: TransactionStats = { runs: 0, attempts: 0 };
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
      ensureSlots: slotCreator(client, bookings.slots, resourcesCollection(db)),
    }),
    availability: availabilityReader(bookings.slots, resources, clock),
    sweeper: holdSweeper({
      client,
      collections: bookings,
      locks: leaseLocks(locksCollection(db), clock),
      clock,
      logger,
      intervalMs: sweepIntervalMs,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;

/** Awaited once at start: the unique indexes are what make several guarantees hold. */
export async function ensureIndexes(db: Db): Promise<void> {
  await ensureBookingIndexes(bookingCollections(db));
  await ensureIdempotencyIndexes(idempotencyCollection(db));
  await ensureLedgerIndexes(ledgerCollections(db));
}
