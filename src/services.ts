import type { Db, MongoClient } from 'mongodb';
import { createFanout } from './availability/fanout';
import { liveAvailability } from './availability/service';
import { availabilityReader } from './bookings/availability';
import { bookingCollections, ensureBookingIndexes } from './bookings/collections';
import { holdService } from './bookings/holds';
import type { Clock } from './clock';
import { ensureIdempotencyIndexes, idempotencyCollection, idempotencyRunner } from './idempotency/keys';
import { resourcesCollection } from './resources/collection';
import { resourceService } from './resources/service';

export interface ServiceDeps {
  client: MongoClient;
  db: Db;
  clock: Clock;
  holdTtlSeconds: number;
}

/** Wires every domain service to its collections; the only place that knows all of them. */
export function createServices({ client, db, clock, holdTtlSeconds }: ServiceDeps) {
  const bookings = bookingCollections(db);
  const resources = resourceService(resourcesCollection(db), clock);
  const runIdempotent = idempotencyRunner(idempotencyCollection(db), clock);
  return {
    clock,
    resources,
    holds: holdService({ client, collections: bookings, resources, runIdempotent, clock, holdTtlSeconds }),
    availability: availabilityReader(bookings.slots, resources, clock),
    live: liveAvailability({ fanout: createFanout(), resources, clock }),
  };
}

export type Services = ReturnType<typeof createServices>;

/** Awaited once at start: the unique indexes are what make several guarantees hold. */
export async function ensureIndexes(db: Db): Promise<void> {
  await ensureBookingIndexes(bookingCollections(db));
  await ensureIdempotencyIndexes(idempotencyCollection(db));
}
