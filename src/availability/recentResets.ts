import type { Timestamp } from 'mongodb';
import type { Commit } from './commits';
import type { CommitHistory } from './history';

/** How long a range's last reset may be handed to new subscribers (time-based expiry is not a commit: see below). */
export const REUSE_RESET_MS = 1_000;
/** Ranges remembered at most (the oldest forgotten first). */
const MAX_RANGES = 1_000;

export interface Reset<T> {
  update: T;
  /** The snapshot it was read on. */
  at: Timestamp;
}

/** Whether the commit wrote a slot of the resource within from..to. */
const touches = (commit: Commit, resourceId: string, from: string, to: string): boolean =>
  commit.slots.some((slot) => slot.date >= from && slot.date <= to && slot.resourceId.toHexString() === resourceId);

/**
 * The last reset read of each range, handed to a new subscriber instead of a new read when it is
 * under REUSE_RESET_MS old and no commit since its snapshot touched the range. Sound because the
 * subscriber is on the live feed before it asks: every commit after the snapshot either is in the
 * history now (then none touched the range, or the reset is not reused) or is published to it
 * later (and sent after the reset). So 10,000 calendars opening on one range within a few seconds
 * cost a few reads and serialisations, not one each. A claim whose hold lapses by time within
 * that second shows as held until the sweeper's write, as it would on any reset read a moment earlier.
 */
export class RecentResets<T> {
  private readonly byRange = new Map<string, { reset: Reset<T>; readAt: number; resourceId: string; from: string; to: string }>();

  constructor(
    private readonly history: CommitHistory,
    private readonly now: () => number,
  ) {}

  get(resourceId: string, from: string, to: string): Reset<T> | undefined {
    const key = `${resourceId}:${from}:${to}`;
    const recent = this.byRange.get(key);
    if (!recent) return undefined;
    const age = this.now() - recent.readAt;
    const fresh = age >= 0 && age < REUSE_RESET_MS && this.history.covers(recent.reset.at);
    if (fresh && !this.history.since(recent.reset.at).some((commit) => touches(commit, resourceId, from, to))) return recent.reset;
    this.byRange.delete(key);
    return undefined;
  }

  remember(resourceId: string, from: string, to: string, reset: Reset<T>): void {
    const key = `${resourceId}:${from}:${to}`;
    const readAt = this.now();
    this.byRange.delete(key);
    this.byRange.set(key, { reset, readAt, resourceId, from, to });
    for (const [oldest, entry] of this.byRange) {
      if (this.byRange.size <= MAX_RANGES && readAt - entry.readAt < REUSE_RESET_MS) break;
      this.byRange.delete(oldest);
    }
  }
}
