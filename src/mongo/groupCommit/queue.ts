import { DomainError } from '../../errors';

/** One submitted piece of work, waiting for (or in) a batch. */
export interface Queued<O, R> {
  order: O;
  /** What it writes (lock keys): accounts, date slots. */
  keys: string[];
  /** Orders with one `distinct` (e.g. one idempotency key) never share a batch. */
  distinct?: string;
  /** Runs in a batch of its own (set when its batch was split). */
  alone: boolean;
  resolve(value: R): void;
  reject(error: unknown): void;
}

export interface QueueOptions {
  /** Batches (transactions) making progress at once; each holds the keys it writes. */
  maxConcurrent: number;
  /** Orders in one batch at most. */
  maxBatch: number;
  /** Orders waiting at most; one more is refused at once (retryable) instead of growing memory without bound. */
  maxWaiting: number;
}

/** What a running batch may tell the queue. */
export interface Lane<O, R> {
  /** The batch is retrying (e.g. a conflict with another instance): let other keys' batches start meanwhile. */
  stalled(): void;
  /** The batch has been retrying for long (a key locked by a transaction nobody ends): free its keys too. */
  unlock(): void;
  /** These orders of the batch are to run again, each alone, before anything waiting that shares their keys. */
  split(orders: Queued<O, R>[]): void;
}

/** How long a client should wait before trying again when the queue is full. */
const QUEUE_FULL_RETRY_AFTER_SECONDS = 1;

export const queueFull = () =>
  new DomainError('SERVICE_UNAVAILABLE', 'Too many requests are waiting to be committed; retry shortly', {
    retryable: true,
    retryAfterSeconds: QUEUE_FULL_RETRY_AFTER_SECONDS,
  });

/** The next batch: waiting orders, oldest first, whose keys neither a running batch (`busy`) nor an earlier waiting order holds. */
function takeBatch<O, R>(waiting: Queued<O, R>[], busy: Set<string>, maxBatch: number) {
  const blocked = new Set(busy);
  const batch: Queued<O, R>[] = [];
  const distinct = new Set<string>();
  const left: Queued<O, R>[] = [];
  for (const queued of waiting) {
    const free = queued.keys.every((key) => !blocked.has(key));
    const fits =
      (queued.alone ? batch.length === 0 : batch.length < maxBatch && !batch[0]?.alone) &&
      !(queued.distinct !== undefined && distinct.has(queued.distinct));
    if (free && fits) {
      batch.push(queued);
      if (queued.distinct !== undefined) distinct.add(queued.distinct);
    } else {
      left.push(queued);
      for (const key of queued.keys) blocked.add(key);
    }
  }
  return { batch, left };
}

/**
 * The lock-key queue under group commit (see groupCommit.ts). Transactions that write the same
 * document abort each other (write conflicts) and retry; so this instance never runs two batches
 * that write one key at the same time: a batch holds every key its orders write until it has
 * finished. Up to `maxConcurrent` batches run at once, on disjoint keys. An order that arrives while
 * a lane and its keys are free starts at once, alone; everything else waits and goes into the next
 * batch together with every waiting order whose keys are free, so the busier the instance, the more
 * each transaction carries. Orders sharing a key run in arrival order: an order whose key an earlier
 * waiting order wants waits behind it; two orders with one `distinct` value go into different batches.
 *
 * A batch that stalls (retrying) gives its lane up, keeping only its own keys; one that keeps
 * retrying gives those up too (see `Lane`), so a key stuck behind a transaction nobody ends holds up
 * neither the instance nor the other keys its orders write. This is a throughput measure only:
 * across instances conflicts still happen and are retried, and nothing here makes a write safe (the
 * conditional update does).
 */
export function lockKeyQueue<O, R>(
  execute: (batch: Queued<O, R>[], lane: Lane<O, R>) => Promise<void>,
  options: QueueOptions,
  onFull?: () => void,
) {
  let waiting: Queued<O, R>[] = [];
  const busy = new Set<string>();
  let running = 0;

  /** The lane and the keys a running batch holds, each given up once. */
  function holdings(keys: string[]) {
    for (const key of keys) busy.add(key);
    running += 1;
    let inLane = true;
    let holding = true;
    return {
      leaveLane() {
        if (!inLane) return;
        inLane = false;
        running -= 1;
      },
      release() {
        if (!holding) return;
        holding = false;
        for (const key of keys) busy.delete(key);
      },
    };
  }

  function start(batch: Queued<O, R>[]): void {
    const held = holdings([...new Set(batch.flatMap((queued) => queued.keys))]);
    const again: Queued<O, R>[] = [];
    const lane: Lane<O, R> = {
      stalled() {
        held.leaveLane();
        pump();
      },
      unlock() {
        held.leaveLane();
        held.release();
        pump();
      },
      split(orders) {
        for (const queued of orders) again.push({ ...queued, alone: true });
      },
    };
    void execute(batch, lane)
      .catch((error: unknown) => {
        again.length = 0;
        for (const queued of batch) queued.reject(error);
      })
      .finally(() => {
        held.release();
        held.leaveLane();
        // First in line again: nothing that arrived meanwhile overtakes them on their keys.
        waiting = [...again, ...waiting];
        pump();
      });
  }

  function pump(): void {
    while (running < options.maxConcurrent && waiting.length > 0) {
      const { batch, left } = takeBatch(waiting, busy, options.maxBatch);
      waiting = left;
      if (batch.length === 0) return;
      start(batch);
    }
  }

  return {
    submit(order: O, keys: string[], distinct?: string): Promise<R> {
      if (waiting.length >= options.maxWaiting) {
        onFull?.();
        return Promise.reject(queueFull());
      }
      return new Promise<R>((resolve, reject) => {
        waiting.push({ order, keys, distinct, alone: false, resolve, reject });
        pump();
      });
    },
    /** Orders waiting for a batch now (metrics, tests). */
    waiting: () => waiting.length,
  };
}
