type Waiting<T> = { resolve: (result: IteratorResult<T>) => void; reject: (error: Error) => void };

/**
 * An async iterator fed by `push`, which can instead push to a sink (push mode, `attach`): what
 * the WebSocket layer writes straight to a socket (websocket/push.ts). A sink answers false while
 * busy (its last write not flushed); items then wait in the subclass's queue until `drain()`.
 * Subclasses decide how items wait (coalesced per date, in order, merged when too many).
 */
export abstract class PushIterator<T> implements AsyncIterableIterator<T> {
  private waiting: Waiting<T> | undefined;
  private sink: ((item: T) => boolean) | undefined;
  private failure: Error | undefined;
  private ended = false;

  constructor(private readonly onEnd: (ended: PushIterator<T>) => void) {}

  /** The oldest waiting item, if any. */
  protected abstract peek(): T | undefined;
  /** Removes the item `peek` answered. */
  protected abstract dropPeeked(): void;
  protected abstract enqueue(item: T): void;
  protected abstract clear(): void;

  get isEnded(): boolean {
    return this.ended;
  }

  protected push(item: T): void {
    if (this.ended) return;
    if (this.sink) {
      // Straight to the consumer unless it is busy or older items are still waiting (order).
      if (this.peek() === undefined && this.sink(item)) return;
    } else if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting.resolve({ value: item, done: false });
      return;
    }
    this.enqueue(item);
  }

  attach(sink: (item: T) => boolean): void {
    this.sink = sink;
    this.drain();
  }

  /** Hands waiting items to the sink, oldest first, until it is busy again. */
  drain(): void {
    for (let item = this.peek(); this.sink && !this.ended && item !== undefined; item = this.peek()) {
      if (!this.sink(item)) return;
      this.dropPeeked();
    }
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

  next(): Promise<IteratorResult<T>> {
    const oldest = this.sink ? undefined : this.peek();
    if (oldest !== undefined) {
      this.dropPeeked();
      return Promise.resolve({ value: oldest, done: false });
    }
    if (this.failure) {
      const error = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    this.waiting?.resolve({ value: undefined, done: true });
    this.waiting = undefined;
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.end();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.clear();
    this.onEnd(this);
  }
}
