/**
 * Runs tasks one at a time per key, in arrival order, within this process. Transactions that debit
 * the same account abort each other with write conflicts and retry; queueing them here turns that
 * storm of retries into a short orderly wait. Across instances, conflicts still resolve by retry.
 */
export function keyedQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return function run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    tails.set(key, tail);
    // Forget the key once nothing is queued behind this task, so the map does not grow forever.
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}

export type KeyedQueue = ReturnType<typeof keyedQueue>;
