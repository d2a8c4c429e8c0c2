/**
 * The reset reads of live views, shared: subscribers that ask for the same key (the same range of
 * one resource, the same account) while its read is running share the NEXT read, which starts when
 * the running one ends, so at most one read per key is in flight and 10,000 calendars opening at
 * once cost a few reads, one message object and one serialisation (payloads are cached per message
 * object), not 10,000 of each. Each caller is on the live feed (its stream holding) before it asks,
 * and the read it shares starts after it asked, so its snapshot is never older than the caller's
 * place in the feed: nothing committed between them is missed.
 */
export function sharedResets<T>() {
  /** Per key: the read that has not started yet (callers join it), and the last one asked for (the next waits for it). */
  const queued = new Map<string, Promise<T>>();
  const last = new Map<string, Promise<unknown>>();

  return function shared(key: string, read: () => Promise<T>): Promise<T> {
    const waiting = queued.get(key);
    if (waiting) return waiting;
    const before = last.get(key) ?? Promise.resolve();
    const start = () => {
      // Started: whoever asks from now on waits for the next one.
      queued.delete(key);
      return read();
    };
    const mine: Promise<T> = before.then(start, start);
    queued.set(key, mine);
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    last.set(key, settled);
    void settled.then(() => {
      if (last.get(key) === settled) last.delete(key);
    });
    return mine;
  };
}
