import type { Timestamp } from 'mongodb';
import type { ResourceDocument } from '../capacity';
import type { Clock } from '../clock';
import { type Commit, cursorOf, parseCursor } from './commits';
import type { CommitHistory } from './history';
import { checkRange, type DateAvailability, type AvailabilityReader, slotAvailability } from './reader';
import { RecentResets, type Reset } from './recentResets';
import { sharedResets } from './sharedResets';
import { UpdateStream } from './updateStream';

export interface AvailabilityUpdateMessage {
  cursor: string;
  reset: boolean;
  dates: DateAvailability[];
}

type Stream = UpdateStream<AvailabilityUpdateMessage>;

/** One subscriber: its stream and the inclusive range it watches. */
interface Watcher {
  stream: Stream;
  from: string;
  to: string;
}

/** A slow subscriber's waiting updates, merged: the newest state per date, the newest cursor. */
function mergeUpdates(older: AvailabilityUpdateMessage, newer: AvailabilityUpdateMessage): AvailabilityUpdateMessage {
  const byDate = new Map(older.dates.map((date) => [date.date, date]));
  for (const date of newer.dates) byDate.set(date.date, date);
  return { cursor: newer.cursor, reset: older.reset, dates: [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : 1)) };
}

/** A commit's changed dates of one resource, sorted, or undefined when it changed none. */
function changedDates(commit: Commit, resourceId: string, now: Date): DateAvailability[] | undefined {
  const slots = commit.slots.filter((slot) => slot.resourceId.toHexString() === resourceId);
  if (slots.length === 0) return undefined;
  return slots
    .map((slot) => slotAvailability(resourceId, slot.date, slot.capacity, slot, now))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** The dates of `sorted` within from..to: a contiguous slice, as [first, end) indexes. */
function sliceOf(sorted: DateAvailability[], from: string, to: string): [number, number] {
  let first = 0;
  while (first < sorted.length && sorted[first].date < from) first += 1;
  let end = first;
  while (end < sorted.length && sorted[end].date <= to) end += 1;
  return [first, end];
}

/** A resume: each commit of the history since the cursor that touched the range, as its own message. */
function replay(stream: Stream, commits: Commit[], resourceId: string, from: string, to: string, now: Date): void {
  for (const commit of commits) {
    const dates = changedDates(commit, resourceId, now);
    const [first, end] = dates ? sliceOf(dates, from, to) : [0, 0];
    if (dates && first < end) stream.replay({ cursor: commit.cursor, reset: false, dates: dates.slice(first, end) }, commit.at);
  }
}

/**
 * `availabilityUpdates`: one message per commit that touched the range, from the instance's one
 * feed. Subscribers of one resource whose ranges cover the same dates of a commit get the same
 * update object, so its result is executed and serialised once (websocket/execution.ts).
 */
export function availabilityUpdates(deps: { reader: AvailabilityReader; history: CommitHistory; clock: Clock }) {
  const byResource = new Map<string, Map<Stream, Watcher>>();
  let count = 0;
  const resets = sharedResets<Reset<AvailabilityUpdateMessage>>();
  const recent = new RecentResets<AvailabilityUpdateMessage>(deps.history, () => deps.clock.now().getTime());

  function remove(resourceId: string, stream: Stream): void {
    const watchers = byResource.get(resourceId);
    if (!watchers?.delete(stream)) return;
    count -= 1;
    if (watchers.size === 0) byResource.delete(resourceId);
  }

  /** The commit as each watcher of the resource sees it; watchers seeing the same slice share one update. */
  function offerTo(watchers: Iterable<Watcher>, commit: Commit, dates: DateAvailability[]): void {
    const shared = new Map<string, AvailabilityUpdateMessage>();
    for (const watcher of watchers) {
      const [first, end] = sliceOf(dates, watcher.from, watcher.to);
      if (first === end) continue;
      const key = `${first}:${end}`;
      let update = shared.get(key);
      if (!update) shared.set(key, (update = { cursor: commit.cursor, reset: false, dates: dates.slice(first, end) }));
      watcher.stream.offer(update, commit.at);
    }
  }

  /** The range on one snapshot, then what committed after it; a recent exact one (recentResets.ts) or a shared read (sharedResets.ts). */
  async function reset(watcher: Watcher, resource: ResourceDocument): Promise<void> {
    const { stream, from, to } = watcher;
    const resourceId = resource._id.toHexString();
    stream.hold();
    const { update, at } =
      recent.get(resourceId, from, to) ??
      (await resets(`${resourceId}:${from}:${to}`, async () => {
        const { value: dates, at } = await deps.reader.atSnapshot(resource, from, to);
        const read = { update: { cursor: cursorOf(at), reset: true, dates }, at };
        recent.remember(resourceId, from, to, read);
        return read;
      }));
    stream.release(update, at);
  }

  return {
    /**
     * Resumes after `after` when this instance's history reaches back that far (or it names a commit
     * this instance has not seen yet); otherwise starts with a reset. Everything synchronous between
     * reading the history and joining the live feed, so no commit falls between the two.
     */
    async subscribe(resource: ResourceDocument, from: string, to: string, after?: string | null) {
      checkRange(from, to);
      const since: Timestamp | undefined = after ? parseCursor(after) : undefined;
      const resourceId = resource._id.toHexString();
      const stream: Stream = new UpdateStream(since ?? deps.history.latest(), mergeUpdates, (ended) => remove(resourceId, ended));
      const watcher: Watcher = { stream, from, to };
      const resumable = since !== undefined && deps.history.covers(since);
      if (resumable) replay(stream, deps.history.since(since), resourceId, from, to, deps.clock.now());
      let watchers = byResource.get(resourceId);
      if (!watchers) byResource.set(resourceId, (watchers = new Map()));
      watchers.set(stream, watcher);
      count += 1;
      if (!resumable) {
        try {
          await reset(watcher, resource);
        } catch (error) {
          await stream.return();
          throw error;
        }
      }
      return stream;
    },

    /** One commit, to every watcher whose range it touched. */
    publish(commit: Commit): void {
      const now = deps.clock.now();
      const resources = new Set(commit.slots.map((slot) => slot.resourceId.toHexString()));
      for (const resourceId of resources) {
        const watchers = byResource.get(resourceId);
        if (!watchers) continue;
        const dates = changedDates(commit, resourceId, now);
        if (dates) offerTo(watchers.values(), commit, dates);
      }
    },

    /** The feed lost commits for good: every watcher starts again from a reset (never a silent gap). */
    resetAll(resourceOf: (id: string) => Promise<ResourceDocument>): void {
      for (const [resourceId, watchers] of byResource) {
        for (const watcher of watchers.values()) {
          void resourceOf(resourceId)
            .then((resource) => reset(watcher, resource))
            .catch((error: Error) => watcher.stream.fail(error));
        }
      }
    },

    subscriberCount: (): number => count,
  };
}
