import type { ChangeStreamDocument, Document, ResumeToken, Timestamp } from 'mongodb';
import type { DateSlotDoc } from '../capacity';
import type { AccountDocument, LedgerEntryDocument } from '../ledger';
import { type Commit, cursorOf } from './commits';

/** The collections live views show: date slots (availability), accounts and their ledger entries (balances). */
export const WATCHED = { slots: 'dateSlots', accounts: 'accounts', entries: 'ledgerEntries' } as const;

export type FeedEvent = ChangeStreamDocument<Document> & {
  ns?: { coll?: string };
  fullDocument?: Document | null;
  clusterTime?: Timestamp;
  wallTime?: Date;
  documentKey?: { _id: unknown };
};

/** A complete commit and when the server wrote it (metrics: commit → fan-out lag). */
export interface GroupedCommit {
  commit: Commit;
  wallTime: Date | undefined;
}

/**
 * Groups the feed's events into commits. Every event of one transaction carries the transaction's
 * commit time and a transaction's events are consecutive in the stream, so a commit is complete
 * when an event with another time arrives or the batch ends (batches are up to 16 MB; our largest
 * transaction, a batch of 100 holds of 31 dates, writes about 1 MB). `token` is where a reopened
 * stream must start: after the last commit handed on, never inside one.
 */
export class CommitGrouper {
  token: ResumeToken | undefined;
  private building: (GroupedCommit & { lastEvent: ResumeToken }) | undefined;

  constructor(private readonly deliver: (grouped: GroupedCommit) => void) {}

  event(change: FeedEvent): void {
    const at = change.clusterTime;
    if (this.building && (!at || !this.building.commit.at.equals(at))) this.flush();
    if (!at) return;
    this.building ??= {
      commit: { at, cursor: cursorOf(at), slots: [], accounts: [], entries: [] },
      wallTime: change.wallTime,
      lastEvent: change._id,
    };
    this.building.lastEvent = change._id;
    const doc = change.fullDocument;
    if (!doc) return;
    const { commit } = this.building;
    const coll = change.ns?.coll;
    if (coll === WATCHED.slots) commit.slots.push(doc as DateSlotDoc);
    else if (coll === WATCHED.accounts) commit.accounts.push(doc as AccountDocument);
    else if (coll === WATCHED.entries) commit.entries.push(doc as LedgerEntryDocument);
  }

  /** The batch is read to its end: the commit being built is complete, and the post-batch token is past it. */
  endOfBatch(postBatchToken: ResumeToken | undefined): void {
    this.flush();
    this.token = postBatchToken ?? this.token;
  }

  /** The stream failed: the commit being built comes again, whole, after `token`. */
  discard(): void {
    this.building = undefined;
  }

  private flush(): void {
    const built = this.building;
    if (!built) return;
    this.building = undefined;
    this.token = built.lastEvent;
    this.deliver(built);
  }
}
