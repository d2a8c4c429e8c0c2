import type { DateAvailability } from './reader';

/** What one subscriber listens to: one resource, an inclusive range of dates. */
export interface Interest {
  resourceId: string;
  from: string;
  to: string;
}

interface Subscriber extends Interest {
  push(change: DateAvailability): void;
  fail(error: Error): void;
}

export interface Fanout {
  /** Changes matching `interest`, from now on, until the iterator is returned (the client left). */
  subscribe(interest: Interest): AsyncIterableIterator<DateAvailability>;
  /** Hands one date's new availability to every subscriber of that resource whose range covers it. */
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
  const byResource = new Map<string, Set<Subscriber>>();
  let count = 0;

  function remove(subscriber: Subscriber): void {
    const set = byResource.get(subscriber.resourceId);
    if (!set?.delete(subscriber)) return;
    count -= 1;
    if (set.size === 0) byResource.delete(subscriber.resourceId);
  }

  return {
    subscribe(interest) {
      const { iterator, push, fail } = coalescingQueue(() => remove(subscriber));
      const subscriber: Subscriber = { ...interest, push, fail };
      let set = byResource.get(interest.resourceId);
      if (!set) byResource.set(interest.resourceId, (set = new Set()));
      set.add(subscriber);
      count += 1;
      return iterator;
    },
    publish(resourceId, change) {
      for (const subscriber of byResource.get(resourceId) ?? []) {
        if (change.date >= subscriber.from && change.date <= subscriber.to) subscriber.push(change);
      }
    },
    failAll(error) {
      for (const set of [...byResource.values()]) for (const subscriber of [...set]) subscriber.fail(error);
    },
    subscriberCount: () => count,
  };
}

/**
 * An async iterator fed by `push`. While the consumer (one WebSocket) is behind, only the newest
 * change per date is kept: an older one would be dropped by the client anyway (merge by version),
 * and this bounds a slow client's backlog to the dates of its range instead of to the write rate.
 */
function coalescingQueue(onEnd: () => void) {
  const pending = new Map<string, DateAvailability>();
  let waiting: { resolve: (result: IteratorResult<DateAvailability>) => void; reject: (error: Error) => void } | undefined;
  let failure: Error | undefined;
  let ended = false;

  function end(): void {
    if (ended) return;
    ended = true;
    pending.clear();
    onEnd();
  }

  const done = (): IteratorResult<DateAvailability> => ({ value: undefined, done: true });

  const iterator: AsyncIterableIterator<DateAvailability> = {
    next() {
      const oldest = pending.entries().next();
      if (!oldest.done) {
        pending.delete(oldest.value[0]);
        return Promise.resolve({ value: oldest.value[1], done: false });
      }
      if (failure) {
        const error = failure;
        failure = undefined;
        return Promise.reject(error);
      }
      if (ended) return Promise.resolve(done());
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
      });
    },
    return() {
      end();
      waiting?.resolve(done());
      waiting = undefined;
      return Promise.resolve(done());
    },
    throw(error) {
      end();
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };

  return {
    iterator,
    push(change: DateAvailability) {
      if (ended) return;
      if (waiting) {
        const { resolve } = waiting;
        waiting = undefined;
        resolve({ value: change, done: false });
        return;
      }
      const queued = pending.get(change.date);
      if (queued && queued.version > change.version) return;
      pending.delete(change.date);
      pending.set(change.date, change);
    },
    fail(error: Error) {
      if (ended) return;
      end();
      if (waiting) {
        waiting.reject(error);
        waiting = undefined;
      } else {
        failure = error;
      }
    },
  };
}
