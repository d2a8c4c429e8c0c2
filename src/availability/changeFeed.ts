import { setTimeout as sleep } from 'node:timers/promises';
import { type ChangeStream, type Db, type Document, MongoServerError, type Timestamp } from 'mongodb';
import type { Logger } from '../logger';
import { CommitGrouper, type FeedEvent, type GroupedCommit, WATCHED } from './commitGrouping';
import type { Commit } from './commits';
import { enablePostImages, lookUpMissingImage } from './postImages';

export interface ChangeFeedOptions {
  db: Db;
  logger: Logger;
  /** Called once per committed transaction (or single write) that live views show, in commit order. */
  onCommit: (commit: Commit) => void;
  /** Called when events were lost for good (the oplog moved past our resume token). */
  onEventsLost: (error: Error) => void;
  /** Called after each commit was handed to `onCommit`, with its commit times (metrics: commit → fan-out lag). */
  onFannedOut?: (change: { clusterTime?: Timestamp; wallTime?: Date }) => void;
}

export interface ChangeFeed {
  /** False from the stream's first failure until it answers again (readiness). */
  isOpen(): boolean;
  /** The cluster time the feed started at: every commit after it is handed on (or reported lost). */
  startedAt(): Timestamp;
  /** Closes the stream and waits for the read loop to end. */
  stop(): Promise<void>;
}

/** Server codes meaning our resume token can no longer be used: the events in between are gone. */
const HISTORY_LOST = new Set([
  136, // CappedPositionLost
  260, // InvalidResumeToken
  280, // ChangeStreamFatalError
  286, // ChangeStreamHistoryLost
]);

/**
 * How long an idle getMore waits on the server. A new change wakes it at once, so this does not add
 * latency; it bounds how long `stop()` waits for the in-flight getMore.
 */
const MAX_AWAIT_MS = 250;
/** Events per batch: large, so a batch ends inside a transaction only past 16 MB (see startChangeFeed). */
const BATCH_SIZE = 100_000;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * Slots and accounts are written by `$set`/`$inc` updates, so an update event carries only the
 * changed fields; with post-images (`changeStreamPreAndPostImages`, enabled on both collections by
 * `enablePostImages`) each event carries the document exactly as that write left it, so a commit's
 * message shows the state that transaction committed, never a later one. Ledger entries are only inserted.
 */
const PIPELINE = [
  {
    $match: {
      'ns.coll': { $in: Object.values(WATCHED) },
      operationType: { $in: ['insert', 'update', 'replace'] },
      // A slot born empty (the ~1,100 a resource is created with, or the horizon job's new dates)
      // shows what no slot showed: AVAILABLE, remaining = capacity, version 0, which is what a client
      // already has for every date it was not told about. Dropped here, on the server, so it costs no
      // event and no message. Any other insert (claims in it, or a version) is a change, and passes.
      $nor: [{ 'ns.coll': WATCHED.slots, operationType: 'insert', 'fullDocument.version': 0, 'fullDocument.claims': { $size: 0 } }],
    },
  },
  { $project: { operationType: 1, fullDocument: 1, clusterTime: 1, wallTime: 1, ns: 1, documentKey: 1 } },
];

/**
 * ONE change stream per API instance, on the database's slots, accounts and ledger entries, so a
 * write made through any instance (or by any other process) reaches this instance's subscribers.
 * Its events are grouped into commits: every event of one transaction has the transaction's commit
 * time, and a transaction's events are consecutive in the stream, so a commit is complete when the
 * next event has another time or the batch ends (batches are up to 16 MB; our largest transaction,
 * a batch of 100 holds of 31 dates, writes about 1 MB). Resolves once its starting point is fixed,
 * so every change committed after `buildApp` returns is seen.
 *
 * Resumability: after every batch the stream's resume token (the post-batch token, which moves even
 * while nothing changes) is kept. The driver already resumes once by itself on a resumable error;
 * when the stream fails anyway, the loop reopens it with `startAfter` that token (which, unlike
 * `resumeAfter`, also works after an invalidate), with backoff, so no committed change is skipped.
 * Only when the server no longer has that point in its oplog are events lost: then every
 * subscription is ended with an error so clients reconnect and re-query.
 */
export async function startChangeFeed(options: ChangeFeedOptions): Promise<ChangeFeed> {
  const { db, logger, onCommit, onEventsLost, onFannedOut } = options;
  let stream: ChangeStream<Document> | undefined;
  let stopped = false;
  const stopping = new AbortController();

  /** Until the first resume token arrives, the stream starts at the cluster time read at start-up. */
  let startTime: Timestamp | undefined;

  const open = (): ChangeStream<Document> =>
    db.watch(PIPELINE, {
      fullDocument: 'whenAvailable',
      maxAwaitTimeMS: MAX_AWAIT_MS,
      batchSize: BATCH_SIZE,
      ...(grouper.token ? { startAfter: grouper.token } : startTime ? { startAtOperationTime: startTime } : {}),
    });

  function deliver({ commit, wallTime }: GroupedCommit): void {
    try {
      onCommit(commit);
      onFannedOut?.({ clusterTime: commit.at, wallTime });
    } catch (error) {
      // A bug in delivery must not stall the stream or replay the same commit forever.
      logger.error({ err: error }, 'live feed: delivering a commit failed');
    }
  }
  /** Where a reopened stream starts: after the last commit handed on, never inside one. */
  const grouper = new CommitGrouper(deliver);

  /** Reads one event (or an empty batch) and hands on every commit it completes. */
  async function step(current: ChangeStream<Document>): Promise<void> {
    const change = (await current.tryNext()) as FeedEvent | null;
    if (change && !change.fullDocument) await lookUpMissingImage(db, logger, change);
    if (change) grouper.event(change);
    if (current.bufferedCount() === 0) grouper.endOfBatch(current.resumeToken ?? undefined);
  }

  /** When the stream first failed, until it answers again. */
  let failedAt: number | undefined;

  async function readLoop(): Promise<void> {
    let retryMs = FIRST_RETRY_MS;
    while (!stopped) {
      try {
        stream ??= open();
        // tryNext answers null after an empty batch, so the token also advances while nothing changes.
        await step(stream);
        retryMs = FIRST_RETRY_MS;
        if (failedAt !== undefined) {
          logger.info({ downForMs: Date.now() - failedAt }, 'live feed: change stream resumed');
          failedAt = undefined;
        }
        if (stream.closed && !stopped) {
          // An invalidate (dateSlots dropped or renamed) ends the stream; startAfter its token goes on.
          logger.warn('live feed: change stream invalidated; reopening after it');
          stream = undefined;
        }
      } catch (error) {
        if (stopped) return;
        failedAt ??= Date.now();
        await stream?.close().catch(() => undefined);
        stream = undefined;
        // Its events come again after the last whole commit handed on.
        grouper.discard();
        if (error instanceof MongoServerError && typeof error.code === 'number' && HISTORY_LOST.has(error.code)) {
          logger.error({ err: error }, 'live feed: resume point is gone; reopening from now, subscribers must re-query');
          grouper.token = undefined;
          startTime = undefined;
          onEventsLost(error);
        } else {
          logger.warn({ err: error, retryInMs: retryMs }, 'live feed: change stream failed; resuming after the last resume token');
        }
        await sleep(retryMs, undefined, { signal: stopping.signal }).catch(() => undefined);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    }
  }

  // watch() is lazy; pinning the start to the current cluster time means every change committed
  // after this line is delivered, however late the first getMore runs.
  await enablePostImages(db);
  startTime = (await db.command({ ping: 1 })).operationTime as Timestamp;
  const startedAt = startTime;
  logger.debug({ startTime }, 'live feed: change stream on slots, accounts and ledger entries starting');
  const loop = readLoop();

  return {
    isOpen: () => !stopped && failedAt === undefined,
    startedAt: () => startedAt,
    async stop() {
      stopped = true;
      stopping.abort();
      await stream?.close().catch(() => undefined);
      await loop;
      logger.debug('live feed: stopped');
    },
  };
}
