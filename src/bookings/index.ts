import type { Db, MongoClient } from 'mongodb';
import type { Capacity } from '../capacity';
import type { Clock } from '../clock';
import type { RunIdempotent } from '../idempotency';
import type { BackgroundJobSettings, LeaseLocks } from '../locks';
import type { Logger } from '../logger';
import type { GroupCommitObserver, GroupCommitOptions } from '../mongo';
import type { UserService } from '../users';
import type { Ledger } from '../ledger';
import { balancePayments } from './balancePayments';
import { bookingService, type RefundPort } from './bookingService';
import { checkoutOutcomes } from './checkoutOutcomes';
import { bookingCollections, ensureBookingIndexes, type HoldDocument } from './collections';
import { holdCommitter } from './holdCommit';
import { holdSweeper } from './holdSweeper';
import { holdService } from './holds';

export type { RefundPort } from './bookingService';
export type { CheckoutOutcome, CheckoutOutcomes, CheckoutReport } from './checkoutOutcomes';
export type { BookingDoc, BookingDocument, HoldDoc, HoldDocument } from './collections';
export { isHoldLive } from './holdLiveness';
export { SWEEPER_LOCK } from './holdSweeper';
export type { HoldDatesResult, HoldService } from './holds';
export type { HoldExpiredResult, HoldNotFoundResult, PayHoldResult } from './balancePayments';

/** What bookings need from payments, which sit above them: called back, never imported. */
export interface PaymentHooks {
  /** A hold was released or swept: its open Checkout Session must not take a payment any more. Must not throw. */
  holdEnded(hold: HoldDocument): Promise<void>;
  /** A cancelled booking's refund: recorded in the cancellation's transaction, sent after it. */
  refunds: RefundPort;
}

export interface BookingsDeps {
  client: MongoClient;
  db: Db;
  clock: Clock;
  logger: Logger;
  capacity: Capacity;
  users: UserService;
  runIdempotent: RunIdempotent;
  locks: LeaseLocks;
  holdTtlSeconds: number;
  /** Accounts and money steps: holds that carry money, balance payments and their refunds. */
  ledger: Ledger;
  /** How often this instance tries to sweep expired holds; 0 = never on its own. */
  sweepIntervalMs: number;
  /** How holds are group-committed (default `HOLD_BATCHING`). */
  holdBatching?: GroupCommitOptions;
  groupCommitObserver?: GroupCommitObserver;
  /** Told about each sweeper run (metrics). */
  onJobRun?: BackgroundJobSettings['onRun'];
  /** Payments, once they exist (services.ts builds them after bookings, on bookings). */
  payments: () => PaymentHooks;
}

/**
 * The bookings module owns `holds` and `bookings`: holdDates / releaseHold, what a Checkout's
 * outcome does to its hold (`checkoutOutcomes`, run by payments inside their transactions), bookings
 * and their cancellation. Its background work is the hold sweeper.
 */
export function bookingsModule({ client, db, clock, logger, capacity, runIdempotent, ...deps }: BookingsDeps) {
  const collections = bookingCollections(db);
  const { holds } = collections;
  const holdEnded = (hold: HoldDocument) => deps.payments().holdEnded(hold);
  const refunds: RefundPort = {
    record: (session, bookingId, paymentIntentId) => deps.payments().refunds.record(session, bookingId, paymentIntentId),
    sendIfPending: (bookingId) => deps.payments().refunds.sendIfPending(bookingId),
  };
  const committer = holdCommitter({
    client,
    holds,
    capacity,
    clock,
    holdTtlSeconds: deps.holdTtlSeconds,
    money: deps.ledger,
    observer: deps.groupCommitObserver,
    batching: deps.holdBatching,
  });
  const sweeper = holdSweeper({
    client,
    holds,
    claims: capacity.claims,
    locks: deps.locks,
    clock,
    logger,
    intervalMs: deps.sweepIntervalMs,
    onExpired: holdEnded,
    onRun: deps.onJobRun,
  });
  return {
    holds: holdService({
      client,
      holds,
      capacity,
      committer,
      runIdempotent,
      clock,
      users: deps.users,
      ledger: deps.ledger,
      afterRelease: holdEnded,
    }),
    bookings: bookingService({
      client,
      bookings: collections.bookings,
      claims: capacity.claims,
      runIdempotent,
      clock,
      refunds,
      ledger: deps.ledger,
    }),
    balancePayments: balancePayments({
      client,
      holds,
      bookings: collections.bookings,
      claims: capacity.claims,
      ledger: deps.ledger,
      runIdempotent,
      clock,
      afterPaid: holdEnded,
    }),
    checkoutOutcomes: checkoutOutcomes({ collections, claims: capacity.claims, clock }),
    sweeper,
    /** One booking per Checkout Session and one confirmed booking per hold: unique indexes G15 rests on. */
    ensureIndexes: () => ensureBookingIndexes(collections),
    start: sweeper.start,
    stop: sweeper.stop,
  };
}

export type Bookings = ReturnType<typeof bookingsModule>;
