import type { Timestamp } from 'mongodb';

type Waiting<T> = { resolve: (result: IteratorResult<T>) => void; reject: (error: Error) => void };

/** A consumer taking updates synchronously; false while busy (see fanout.ts `Sink`). Must not throw. */
export type UpdateSink<T> = (update: T) => boolean;

/** How many updates wait for a slow consumer before they are merged into one (bounded memory). */
export const MAX_BACKLOG = 64;

/**
 * One subscriber's updates, in commit order, each exactly once: `offer` drops any update at or
 * before `position` (the commit the subscriber has last been sent, or a reset's snapshot time), so
 * a replay from history and the live feed can overlap without duplicates. While `holding` (a reset
 * is being read), updates wait; `release` sends the reset first and then those after its snapshot.
 * A slow consumer's backlog is bounded: past `MAX_BACKLOG`, waiting updates are merged into one
 * (whole commits only, so it still never shows part of a transaction). Push mode (`attach`) as the
 * fan-out's subscriptions (fanout.ts), so the WebSocket layer writes each update straight out.
 */
export class UpdateStream<T extends object> implements AsyncIterableIterator<T> {
  private queue: T[] = [];
  private held: { update: T; at: Timestamp }[] | undefined;
  private waiting: Waiting<T> | undefined;
  private sink: UpdateSink<T> | undefined;
  private failure: Error | undefined;
  private ended = false;

  constructor(
    public position: Timestamp,
    private readonly merge: (older: T, newer: T) => T,
    private readonly onEnd: (stream: UpdateStream<T>) => void,
  ) {}

  get isEnded(): boolean {
    return this.ended;
  }

  /** Until `release`, updates wait (a reset is being read). */
  hold(): void {
    this.held ??= [];
  }

  /** Sends `reset` (the state at `at`), then the held updates committed after it. */
  release(reset: T, at: Timestamp): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.position = at;
    this.push(reset);
    for (const { update, at: committed } of held) this.offer(update, committed);
  }

  offer(update: T, at: Timestamp): void {
    if (this.ended) return;
    if (this.held) {
      this.held.push({ update, at });
      return;
    }
    if (!at.greaterThan(this.position)) return;
    this.position = at;
    this.push(update);
  }

  private push(update: T): void {
    if (this.sink) {
      if (this.queue.length === 0 && this.sink(update)) return;
    } else if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting.resolve({ value: update, done: false });
      return;
    }
    if (this.queue.length >= MAX_BACKLOG) {
      const last = this.queue.length - 1;
      this.queue[last] = this.merge(this.queue[last], update);
    } else {
      this.queue.push(update);
    }
  }

  attach(sink: UpdateSink<T>): void {
    this.sink = sink;
    this.drain();
  }

  drain(): void {
    while (this.sink && !this.ended && this.queue.length > 0) {
      if (!this.sink(this.queue[0])) return;
      this.queue.shift();
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
    if (!this.sink && this.queue.length > 0) return Promise.resolve({ value: this.queue.shift() as T, done: false });
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
    this.queue = [];
    this.held = undefined;
    this.onEnd(this);
  }
}
