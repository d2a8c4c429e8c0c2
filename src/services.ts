import type { Db, MongoClient } from 'mongodb';
import type Stripe from 'stripe';
import { availabilityReader } from './bookings/availability';
import { bookingsCollection, ensureBookingRecordIndexes } from './bookings/bookingRecords';
import { bookingService } from './bookings/cancellation';
import { checkoutSettlement } from './bookings/checkoutSettlement';
import { bookingCollections, ensureBookingIndexes } from './bookings/collections';
import { holdService } from './bookings/holds';
import type { Clock } from './clock';
import { ensureIdempotencyIndexes, idempotencyCollection, idempotencyRunner } from './idempotency/keys';
import type { Logger } from './logger';
import { checkoutService } from './payments/checkout';
import { holdPaymentHandler } from './payments/holdPayments';
import { refundSender } from './payments/refunds';
import { stripeEventsCollection } from './payments/stripeEvents';
import { webhookProcessor } from './payments/webhookProcessor';
import { resourcesCollection } from './resources/collection';
import { resourceService } from './resources/service';

/** The Stripe side: a client (real Stripe or stripe-mock), the endpoint's signing secret, return URLs. */
export interface PaymentOptions {
  stripe: Stripe;
  webhookSecret: string;
  successUrl: string;
  cancelUrl: string;
}

export interface ServiceDeps {
  client: MongoClient;
  db: Db;
  clock: Clock;
  holdTtlSeconds: number;
  logger: Logger;
  payments: PaymentOptions;
}

/** Wires every domain service to its collections; the only place that knows all of them. */
export function createServices({ client, db, clock, holdTtlSeconds, logger, payments }: ServiceDeps) {
  const bookings = bookingCollections(db);
  const bookingRecords = bookingsCollection(db);
  const resources = resourceService(resourcesCollection(db), clock);
  const runIdempotent = idempotencyRunner(idempotencyCollection(db), clock);
  const { stripe } = payments;
  const refunds = refundSender({ bookings: bookingRecords, stripe, clock, logger });
  const checkout = checkoutService({ client, holds: bookings.holds, runIdempotent, clock, logger, ...payments });
  const settlement = checkoutSettlement({ collections: bookings, bookings: bookingRecords, clock });
  return {
    clock,
    resources,
    holds: holdService({ client, collections: bookings, resources, runIdempotent, clock, holdTtlSeconds, afterRelease: checkout.expireSessionOf }),
    availability: availabilityReader(bookings.slots, resources, clock),
    checkout,
    refunds,
    bookings: bookingService({ client, slots: bookings.slots, bookings: bookingRecords, runIdempotent, clock, sendRefund: refunds.sendQuietly }),
    stripeWebhooks: webhookProcessor({
      client,
      events: stripeEventsCollection(db),
      stripe,
      webhookSecret: payments.webhookSecret,
      handlers: { hold: holdPaymentHandler({ settlement, bookings: bookingRecords, refunds, logger }) },
      clock,
      logger,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;

/** Awaited once at start: the unique indexes are what make several guarantees hold. */
export async function ensureIndexes(db: Db): Promise<void> {
  await ensureBookingIndexes(bookingCollections(db));
  await ensureIdempotencyIndexes(idempotencyCollection(db));
  await ensureBookingRecordIndexes(bookingsCollection(db));
}
