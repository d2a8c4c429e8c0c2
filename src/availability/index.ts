import { type Db, type MongoClient, Timestamp } from 'mongodb';
import type { Capacity } from '../capacity';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { accountUpdates } from './accountUpdates';
import { availabilityUpdates } from './availabilityUpdates';
import { type ChangeFeed, startChangeFeed } from './changeFeed';
import type { Commit } from './commits';
import { createFanout } from './fanout';
import { CommitHistory } from './history';
import { availabilityReader } from './reader';
import { liveAvailability } from './service';
import type { Ledger } from '../ledger';

export type { DateAvailability } from './reader';
export type { AvailabilityUpdateMessage } from './availabilityUpdates';
export type { AccountUpdateMessage } from './accountUpdates';
export { sharedResets } from './sharedResets';
export { RecentResets, REUSE_RESET_MS } from './recentResets';
export { CommitHistory } from './history';
export type { Commit } from './commits';

export interface AvailabilityDeps {
  client: MongoClient;
  db: Db;
  capacity: Pick<Capacity, 'slots' | 'resources'>;
  ledger: Pick<Ledger, 'accountById'>;
  clock: Clock;
  logger: Logger;
  /** Told after each commit was fanned out, with its commit times (metrics: commit → fan-out lag). */
  onFannedOut?: (change: { clusterTime?: Timestamp; wallTime?: Date }) => void;
}

/**
 * The availability module owns no collection: it reads capacity's `dateSlots` for the
 * `availability` query, and its ONE change stream (on slots, accounts and ledger entries) feeds
 * this instance's live views: `availabilityChanged`, `availabilityUpdates` and `accountUpdates`,
 * with a bounded history of recent commits to resume from. The stream is its background work:
 * `open` starts it (before the server listens, so every change committed from then on reaches
 * subscribers), `close` ends it (after the server drained).
 */
export function availabilityModule({ client, db, capacity, ledger, clock, logger, onFannedOut }: AvailabilityDeps) {
  const reader = availabilityReader(client, capacity.slots, capacity.resources, clock);
  // Until the feed opens nothing can be resumed: its start replaces this one.
  const history = new CommitHistory(new Timestamp({ t: 0, i: 0 }));
  const updates = availabilityUpdates({ reader, history, clock });
  const live = liveAvailability({ fanout: createFanout(), updates, resources: capacity.resources, clock });
  const accounts = accountUpdates({ client, ledger, history });
  let feed: ChangeFeed | undefined;

  function onCommit(commit: Commit): void {
    // A stream reopened after a failure may hand on a commit again: each is shown once.
    if (!commit.at.greaterThan(history.latest())) return;
    history.append(commit);
    live.publishCommit(commit);
    accounts.publish(commit);
  }

  return {
    read: reader.availability,
    live,
    accounts,
    /** False until opened, and from the stream's first failure until it answers again (readiness). */
    feedOpen: (): boolean => feed?.isOpen() ?? false,
    async open(): Promise<void> {
      feed = await startChangeFeed({
        db,
        logger,
        onCommit,
        onEventsLost: (error) => {
          history.restart(history.latest());
          live.endAll(error);
          live.resetUpdates();
          accounts.resetAll();
        },
        onFannedOut,
      });
      history.restart(feed.startedAt());
    },
    close: async (): Promise<void> => feed?.stop(),
  };
}

export type Availability = ReturnType<typeof availabilityModule>;
