import type { Timestamp } from 'mongodb';
import type { Commit } from './commits';

/** How far back a resume reaches: the last 20,000 commits this instance saw, or 15 minutes, whichever is less. */
export const HISTORY_LIMIT = { commits: 20_000, ageMs: 15 * 60_000 };

/**
 * The commits this instance's feed handed on since `start`, in commit order, every one of them: a
 * cursor at or after `start` can be resumed from here without a gap. Older ones are dropped (and
 * `start` moves up to the last one dropped), so the history costs at most `limit.commits` commits.
 */
export class CommitHistory {
  private held: { commit: Commit; seenAt: number }[] = [];
  private first = 0;

  constructor(
    private start: Timestamp,
    private readonly limit = HISTORY_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  /** Every commit after `after` is here (or has not happened yet). */
  covers(after: Timestamp): boolean {
    return !after.lessThan(this.start);
  }

  /** The newest commit held, or the start when none is. */
  latest(): Timestamp {
    return this.held.length > this.first ? this.held[this.held.length - 1].commit.at : this.start;
  }

  append(commit: Commit): void {
    this.held.push({ commit, seenAt: this.now() });
    this.trim();
  }

  /** Commits after `after`, oldest first (a binary search: the history is in commit order). */
  since(after: Timestamp): Commit[] {
    let low = this.first;
    let high = this.held.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.held[middle].commit.at.greaterThan(after)) high = middle;
      else low = middle + 1;
    }
    return this.held.slice(low).map((entry) => entry.commit);
  }

  /** Forgets everything: nothing before `start` can be resumed (the feed lost events, or started). */
  restart(start: Timestamp): void {
    this.held = [];
    this.first = 0;
    this.start = start;
  }

  private trim(): void {
    const oldestAllowed = this.now() - this.limit.ageMs;
    while (
      this.held.length - this.first > this.limit.commits ||
      (this.held.length > this.first && this.held[this.first].seenAt < oldestAllowed)
    ) {
      this.start = this.held[this.first].commit.at;
      this.first += 1;
    }
    // Compact now and then, so dropped commits are freed.
    if (this.first > 1024 && this.first * 2 > this.held.length) {
      this.held = this.held.slice(this.first);
      this.first = 0;
    }
  }
}
