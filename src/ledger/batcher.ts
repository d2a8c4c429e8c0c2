/** One submitted piece of work, waiting for (or in) a batch. */
export interface Queued<O, R> {
  order: O;
  /** The accounts it writes (lock keys). */
  accounts: string[];
  /** Orders with one `distinct` (e.g. one idempotency key) never share a batch. */
  distinct?: string;
  /** Runs in a batch of its own (set when its batch was split). */
  alone: boolean;
  resolve(value: R): void;
  reject(error: unknown): void;
}

export interface BatcherOptions {
  /** Batches (transactions) making progress at once; each holds the accounts it writes. */
  maxConcurrent: number;
  /** Orders in one batch at most. */
  maxBatch: number;
}

/** What a running batch may tell the batcher. */
export interface Lane<O, R> {
  /** The batch is retrying (e.g. a conflict with another instance): let other accounts' batches start meanwhile. */
  stalled(): void;
  /** The batch has been retrying for long (an account locked by a transaction nobody ends): free its accounts too. */
  unlock(): void;
  /** These orders of the batch are to run again, each alone, before anything waiting that shares their accounts. */
  split(orders: Queued<O, R>[]): void;
}

/**
 * Group commit for money movements within one instance. Transactions that write the same account
 * abort each other (write conflicts) and retry; so this instance never runs two transactions that
 * write one account at the same time: a batch holds every account its orders debit or credit until
 * it has finished. Up to `maxConcurrent` batches run at once, on disjoint accounts. An order that
 * arrives while a lane and its accounts are free starts at once, alone; everything else waits and
 * goes into the next batch together with every waiting order whose accounts are free, so the busier
 * the instance, the more each transaction carries. Orders sharing an account run in arrival order:
 * an order whose account an earlier waiting order wants waits behind it; two orders with one
 * `distinct` value (two requests with one idempotency key) go into different batches.
 *
 * A batch that stalls (retrying) gives its lane up, keeping only its own accounts; one that keeps
 * retrying gives those up too (see `Lane`), so an account stuck behind a transaction nobody ends
 * holds up neither the instance nor the accounts its orders would have credited. This is a
 * throughput measure only: across instances conflicts still happen and are retried, and nothing here
 * makes a debit safe (the conditional update does).
 * `execute` settles every order of its batch, or hands it back with `split`; a throw rejects the rest.
 */
export function accountBatcher<O, R>(execute: (batch: Queued<O, R>[], lane: Lane<O, R>) => Promise<void>, options: BatcherOptions) {
  let waiting: Queued<O, R>[] = [];
  const busy = new Set<string>();
  let running = 0;

  /** The next batch: waiting orders, oldest first, whose accounts neither a running batch nor an earlier waiting order holds. */
  function nextBatch(): Queued<O, R>[] {
    const blocked = new Set(busy);
    const batch: Queued<O, R>[] = [];
    const distinct = new Set<string>();
    const left: Queued<O, R>[] = [];
    for (const queued of waiting) {
      const free = queued.accounts.every((account) => !blocked.has(account));
      const fits =
        (queued.alone ? batch.length === 0 : batch.length < options.maxBatch && !batch[0]?.alone) &&
        !(queued.distinct !== undefined && distinct.has(queued.distinct));
      if (free && fits) {
        batch.push(queued);
        if (queued.distinct !== undefined) distinct.add(queued.distinct);
      } else {
        left.push(queued);
        for (const account of queued.accounts) blocked.add(account);
      }
    }
    waiting = left;
    return batch;
  }

  function start(batch: Queued<O, R>[]): void {
    const held = [...new Set(batch.flatMap((queued) => queued.accounts))];
    for (const account of held) busy.add(account);
    running += 1;
    let inLane = true;
    const leaveLane = () => {
      if (!inLane) return;
      inLane = false;
      running -= 1;
    };
    let holding = true;
    const release = () => {
      if (!holding) return;
      holding = false;
      for (const account of held) busy.delete(account);
    };
    const again: Queued<O, R>[] = [];
    const lane: Lane<O, R> = {
      stalled() {
        leaveLane();
        pump();
      },
      unlock() {
        leaveLane();
        release();
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
        release();
        leaveLane();
        // First in line again: nothing that arrived meanwhile overtakes them on their accounts.
        waiting = [...again, ...waiting];
        pump();
      });
  }

  function pump(): void {
    while (running < options.maxConcurrent && waiting.length > 0) {
      const batch = nextBatch();
      if (batch.length === 0) return;
      start(batch);
    }
  }

  return function submit(order: O, accounts: string[], distinct?: string): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      waiting.push({ order, accounts, distinct, alone: false, resolve, reject });
      pump();
    });
  };
}
