import type { ClientSession, MongoClient } from 'mongodb';
import { assert } from '../../assert';
import { type TransactionStats, withTransaction } from '../transaction';
import { type Lane, lockKeyQueue, type QueueOptions, type Queued } from './queue';

/** What one order of a batch came to: a value (its effect and key recorded in the batch's transaction) or an error (nothing of it written). */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * The one failure type of a batch: order `index` failed in a way only it caused (its idempotency key
 * is already recorded, its slots do not exist yet, its total is too large). The transaction is
 * abandoned, that order is answered `reason`, and the others run again without it.
 */
export class OrderFailed extends Error {
  constructor(
    readonly index: number,
    readonly reason: unknown,
  ) {
    super(`order ${index} of a batch failed`);
  }
}

/**
 * A conditional write of the batch did not apply in a way the batch cannot answer for each order
 * (e.g. a hold that got some of its dates but not all): nothing commits, and the orders run again,
 * each alone, so each answer is exactly what it would be alone.
 */
export class PlanRefused extends Error {}

/** Thrown into a batch's second attempt: a batch is not retried as a whole, its orders are (each alone). */
class SplitBatch extends Error {}

/** Told what the engine does (metrics). */
export interface GroupCommitObserver {
  batch(engine: string, orders: number): void;
  split(engine: string, orders: number): void;
  queueFull(engine: string): void;
}

export interface GroupCommitSpec<O, R> {
  /** Names the engine in metrics and logs (`holds`, `ledger`). */
  name: string;
  client: MongoClient;
  /**
   * The body of one batch's transaction: one outcome per order, in order. It may throw
   * `OrderFailed` or `PlanRefused`; anything else is every order's answer. Safe to re-run.
   */
  run(session: ClientSession, orders: O[]): Promise<Outcome<R>[]>;
  /** The documents an order writes, as lock keys. */
  keysOf(order: O): string[];
  /** Orders with one value (one idempotency key) never share a batch: their key records would collide. */
  distinctOf(order: O): string;
  transactionStats?: TransactionStats;
  observer?: GroupCommitObserver;
}

export interface GroupCommitOptions extends QueueOptions {}

/**
 * A lone order retrying longer than this frees its keys for this instance's other orders: past it,
 * it is more likely stuck (a document locked by an abandoned transaction) than contended.
 */
const UNLOCK_AFTER_MS = 250;

/**
 * Group commit: many requests, one transaction (see queue.ts for which orders share a batch). One
 * rule for every batch: a batch of several orders gets ONE attempt; if it has to be retried (a write
 * conflict with another instance, a lost connection) or its plan was refused, its orders run again
 * each alone, first in line, so one contended or stuck document fails only its own orders. A single
 * order retries within the time budget as any transaction does, giving its lane up while it does, and
 * its keys after `UNLOCK_AFTER_MS`. An order that fails alone (`OrderFailed`) is answered and the
 * batch runs again without it. Anything else (the database unreachable past the budget) is every
 * order's answer.
 */
export function groupCommit<O, R>(spec: GroupCommitSpec<O, R>, options: GroupCommitOptions) {
  const { name, observer } = spec;

  async function attempt(left: Queued<O, R>[], lane: Lane<O, R>): Promise<Outcome<R>[]> {
    const orders = left.map((queued) => queued.order);
    const started = Date.now();
    let attempts = 0;
    return withTransaction(
      spec.client,
      (session) => {
        attempts += 1;
        if (attempts > 1) {
          if (orders.length > 1) throw new SplitBatch();
          if (Date.now() - started > UNLOCK_AFTER_MS) lane.unlock();
          else lane.stalled();
        }
        return spec.run(session, orders);
      },
      spec.transactionStats,
    );
  }

  async function execute(batch: Queued<O, R>[], lane: Lane<O, R>): Promise<void> {
    let left = batch;
    while (left.length > 0) {
      observer?.batch(name, left.length);
      let outcomes: Outcome<R>[];
      try {
        outcomes = await attempt(left, lane);
      } catch (error) {
        if (error instanceof OrderFailed) {
          assert(error.index >= 0 && error.index < left.length, `${name}: a failed order's index is in its batch`);
          left[error.index].reject(error.reason);
          left = left.filter((_, index) => index !== error.index);
          continue;
        }
        if ((error instanceof SplitBatch || error instanceof PlanRefused) && left.length > 1) {
          observer?.split(name, left.length);
          return lane.split(left);
        }
        for (const queued of left) queued.reject(error);
        return;
      }
      assert(outcomes.length === left.length, `${name}: a batch answers one outcome per order`);
      left.forEach((queued, index) => {
        const outcome = outcomes[index];
        if (outcome.ok) queued.resolve(outcome.value);
        else queued.reject(outcome.error);
      });
      return;
    }
  }

  const queue = lockKeyQueue<O, R>(execute, options, () => observer?.queueFull(name));
  return {
    submit: (order: O): Promise<R> => queue.submit(order, spec.keysOf(order), spec.distinctOf(order)),
    waiting: queue.waiting,
  };
}

export type GroupCommit<O, R> = ReturnType<typeof groupCommit<O, R>>;
