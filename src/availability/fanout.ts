import { assert } from '../assert';
import type { DateAvailability } from './reader';

/** What one subscriber listens to: one resource, an inclusive range of dates. */
export interface Interest {
  resourceId: string;
  from: string;
  to: string;
}

/**
 * A consumer that takes changes as they are published, synchronously (the WebSocket layer writes
 * each straight to its socket). It answers false while it is busy (its last write not yet flushed):
 * the change then waits, coalesced, until the consumer calls `drain()` (later, never from inside
 * the sink). It must not throw.
 */
export type Sink = (change: DateAvailability) => boolean;

/** What `subscribe` returns: an async iterator, which can instead push to a sink (see `attach`). */
export interface LiveSubscription extends AsyncIterableIterator<DateAvailability> {
  /**
   * Push mode: from now on changes go to `sink` from `publish` itself, with no promise per change,
   * and `next()` settles only when the subscription ends (done, or the error of `failAll`).
   */
  attach(sink: Sink): void;
  /** Hands waiting changes to the sink, oldest first, until it is busy again. */
  drain(): void;
}

export interface Fanout {
  /** Changes matching `interest`, from now on, until the iterator is returned (the client left). */
  subscribe(interest: Interest): LiveSubscription;
  /**
   * Hands one date's new availability to every subscriber of that resource whose range covers it.
   * They all get the same object, so what is derived from it (the serialised result) can be shared.
   */
  publish(resourceId: string, change: DateAvailability): void;
  /** Ends every subscription with `error`, e.g. when events may have been missed and clients must re-query. */
  failAll(error: Error): void;
  subscriberCount(): number;
}

/**
 * The in-process registry between the instance's one change stream and its subscribers, indexed
 * by resource so a change costs one map lookup plus the subscribers of that resource.
 */
export function createFanout(): Fanout {
  const byResource = new Map<string, Set<Subscription>>();
  let count = 0;

  function remove(subscription: Subscription): void {
    const set = byResource.get(subscription.resourceId);
    if (!set?.delete(subscription)) return;
    count -= 1;
    if (set.size === 0) byResource.delete(subscription.resourceId);
  }

  return {
    subscribe({ resourceId, from, to }) {
      const subscription = new Subscription(resourceId, from, to, remove);
      let set = byResource.get(resourceId);
      if (!set) byResource.set(resourceId, (set = new Set()));
      set.add(subscription);
      count += 1;
      return subscription;
    },
    publish(resourceId, change) {
      const set = byResource.get(resourceId);
      if (!set) return;
      const { date } = change;
      for (const subscription of set) {
        if (date < subscription.from || date > subscription.to) continue;
        try {
          subscription.push(change);
        } catch {
          // A sink must not throw; if one does anyway, the other subscribers still get the change.
        }
      }
    },
    failAll(error) {
      for (const set of [...byResource.values()]) for (const subscription of [...set]) subscription.fail(error);
    },
    subscriberCount: () => count,
  };
}

type Waiting = { resolve: (result: IteratorResult<DateAvailability>) => void; reject: (error: Error) => void };

const DONE: IteratorResult<DateAvailability> = Object.freeze({ value: undefined, done: true });

/**
 * One subscriber: an async iterator fed by `push`. While the consumer (one WebSocket) is behind,
 * only the newest change per date is kept: an older one would be dropped by the client anyway
 * (merge by version), and this bounds a slow client's backlog to the dates of its range instead of
 * to the write rate. A class, not closures, so an idle subscriber costs one small object (with
 * 10,000 of them per instance); its backlog map exists only while it is behind.
 */
class Subscription implements LiveSubscription {
  private pending: Map<string, DateAvailability> | undefined;
  private waiting: Waiting | undefined;
  private sink: Sink | undefined;
  private failure: Error | undefined;
  private ended = false;

  constructor(
    readonly resourceId: string,
    readonly from: string,
    readonly to: string,
    private readonly onEnd: (subscription: Subscription) => void,
  ) {}

  push(change: DateAvailability): void {
    if (this.ended) return;
    if (this.sink) {
      // Straight to the consumer unless it is busy or older changes are still waiting (order).
      if (!this.pending && this.sink(change)) return;
    } else if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting.resolve({ value: change, done: false });
      return;
    }
    this.enqueue(change);
  }

  attach(sink: Sink): void {
    this.sink = sink;
    this.drain();
  }

  drain(): void {
    while (this.sink && !this.ended) {
      const oldest = this.oldestPending();
      if (!oldest || !this.sink(oldest[1])) return;
      this.dropPending(oldest[0]);
    }
  }

  /** The oldest change still waiting: the backlog map exists only while it holds one. */
  private oldestPending(): [string, DateAvailability] | undefined {
    const oldest = this.pending?.entries().next();
    if (!oldest) return undefined;
    assert(!oldest.done, 'a backlog exists only while it holds a change');
    return oldest.value;
  }

  private dropPending(date: string): void {
    this.pending?.delete(date);
    if (this.pending?.size === 0) this.pending = undefined;
  }

  private enqueue(change: DateAvailability): void {
    const pending = (this.pending ??= new Map());
    const queued = pending.get(change.date);
    if (queued && queued.version > change.version) return;
    pending.delete(change.date);
    pending.set(change.date, change);
  }

  fail(error: Error): void {
    if (this.ended) return;
    this.end();
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting.reject(error);
    } else {
      this.failure = error;
    }
  }

  next(): Promise<IteratorResult<DateAvailability>> {
    const oldest = this.sink ? undefined : this.oldestPending();
    if (oldest) {
      this.dropPending(oldest[0]);
      return Promise.resolve({ value: oldest[1], done: false });
    }
    if (this.failure) {
      const error = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<DateAvailability>> {
    this.end();
    this.waiting?.resolve(DONE);
    this.waiting = undefined;
    return Promise.resolve(DONE);
  }

  throw(error: unknown): Promise<IteratorResult<DateAvailability>> {
    this.end();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.pending = undefined;
    this.onEnd(this);
  }
}
