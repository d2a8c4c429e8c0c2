import type { Timestamp } from 'mongodb';
import { PushIterator } from './pushIterator';

/** How many updates wait for a slow consumer before they are merged into one (bounded memory). */
export const MAX_BACKLOG = 64;

/**
 * One subscriber's updates, in commit order, each exactly once: `offer` drops any update at or
 * before `position` (the commit the subscriber has last been sent, or a reset's snapshot time), so
 * a replay from history and the live feed can overlap without duplicates. While `holding` (a reset
 * is being read), updates wait; `release` sends the reset first and then those after its snapshot.
 * A slow consumer's backlog is bounded: past `MAX_BACKLOG`, waiting updates are merged into one
 * (whole commits only, so it still never shows part of a transaction).
 */
export class UpdateStream<T extends object> extends PushIterator<T> {
  private queue: T[] = [];
  /** How many of the first queued updates are a resume's replay: never merged (the history bounds them). */
  private replaying = 0;
  private held: { update: T; at: Timestamp }[] | undefined;

  constructor(
    public position: Timestamp,
    private readonly merge: (older: T, newer: T) => T,
    onEnd: (stream: UpdateStream<T>) => void,
  ) {
    super(onEnd as (ended: PushIterator<T>) => void);
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

  /** A commit from the history, before the stream is live: sent as its own message, whatever the backlog. */
  replay(update: T, at: Timestamp): void {
    if (this.isEnded || !at.greaterThan(this.position)) return;
    this.position = at;
    this.queue.push(update);
    this.replaying += 1;
  }

  offer(update: T, at: Timestamp): void {
    if (this.isEnded) return;
    if (this.held) {
      this.held.push({ update, at });
      return;
    }
    if (!at.greaterThan(this.position)) return;
    this.position = at;
    this.push(update);
  }

  protected peek(): T | undefined {
    return this.queue[0];
  }

  protected dropPeeked(): void {
    this.queue.shift();
    if (this.replaying > 0) this.replaying -= 1;
    // An emptied queue is let go: an array keeps the room it grew to (most subscribers wait for nothing).
    if (this.queue.length === 0) this.queue = [];
  }

  protected enqueue(update: T): void {
    if (this.queue.length - this.replaying < MAX_BACKLOG) {
      this.queue.push(update);
      return;
    }
    const last = this.queue.length - 1;
    this.queue[last] = this.merge(this.queue[last], update);
    if (this.replaying > last) this.replaying = last;
  }

  protected clear(): void {
    this.queue = [];
    this.replaying = 0;
    this.held = undefined;
  }
}
