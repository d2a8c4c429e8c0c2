import { PushIterator } from './pushIterator';
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

/**
 * One subscriber: an async iterator fed by `push` (pushIterator.ts). While the consumer (one
 * WebSocket) is behind, only the newest change per date is kept: an older one would be dropped by
 * the client anyway (merge by version), and this bounds a slow client's backlog to the dates of its
 * range instead of to the write rate. A class, not closures, so an idle subscriber costs one small
 * object (with 10,000 of them per instance); its backlog map exists only while it is behind.
 */
class Subscription extends PushIterator<DateAvailability> implements LiveSubscription {
  private pending: Map<string, DateAvailability> | undefined;

  constructor(
    readonly resourceId: string,
    readonly from: string,
    readonly to: string,
    onEnd: (subscription: Subscription) => void,
  ) {
    super(onEnd as (ended: PushIterator<DateAvailability>) => void);
  }

  override push(change: DateAvailability): void {
    super.push(change);
  }

  protected peek(): DateAvailability | undefined {
    const oldest = this.pending?.values().next();
    return oldest && !oldest.done ? oldest.value : undefined;
  }

  protected dropPeeked(): void {
    const oldest = this.pending?.keys().next();
    if (oldest && !oldest.done) this.pending?.delete(oldest.value);
    if (this.pending?.size === 0) this.pending = undefined;
  }

  protected enqueue(change: DateAvailability): void {
    const pending = (this.pending ??= new Map());
    const queued = pending.get(change.date);
    if (queued && queued.version > change.version) return;
    pending.delete(change.date);
    pending.set(change.date, change);
  }

  protected clear(): void {
    this.pending = undefined;
  }
}
