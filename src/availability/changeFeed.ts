import { setTimeout as sleep } from 'node:timers/promises';
import { type ChangeStream, type ChangeStreamDocument, type Collection, MongoServerError, type ResumeToken, type Timestamp } from 'mongodb';
import type { DateSlotDoc } from '../capacity';
import type { Logger } from '../logger';

export interface ChangeFeedOptions {
  slots: Collection<DateSlotDoc>;
  logger: Logger;
  /** Called once per committed change to a slot, in commit order, with the slot as it now stands. */
  onSlotChanged: (slot: DateSlotDoc) => void;
  /** Called when events were lost for good (the oplog moved past our resume token). */
  onEventsLost: (error: Error) => void;
  /** Called after each change was handed to `onSlotChanged`, with its commit times (metrics: commit → fan-out lag). */
  onFannedOut?: (change: { clusterTime?: Timestamp; wallTime?: Date }) => void;
}

export interface ChangeFeed {
  /** False from the stream's first failure until it answers again (readiness). */
  isOpen(): boolean;
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
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * Slots are written by `$set`/`$inc` updates, so an update event carries only the changed fields.
 * `fullDocument: 'updateLookup'` adds the slot as it stands when the event is read. We chose it
 * over post-images (`changeStreamPreAndPostImages`) because it needs no collection option (a
 * collMod on a collection that must already exist, plus images kept in config.system.preimages)
 * and works on any replica set. Its cost: the looked-up slot can be newer than the change that produced the event.
 * That is harmless here, because each event carries the slot's own `version` and clients keep the
 * highest version per date; and the last change to a slot is always followed by a lookup that sees it.
 */
const PIPELINE = [
  {
    $match: {
      operationType: { $in: ['insert', 'update', 'replace'] },
      // A slot born empty (the ~1,100 a resource is created with, or the horizon job's new dates)
      // shows what no slot showed: AVAILABLE, remaining = capacity, version 0, which is what a client
      // already has for every date it was not told about. Dropped here, on the server, so it costs no
      // event, no lookup and no message. Any other insert (claims in it, or a version) is a change, and passes.
      $nor: [{ operationType: 'insert', 'fullDocument.version': 0, 'fullDocument.claims': { $size: 0 } }],
    },
  },
  { $project: { operationType: 1, fullDocument: 1, clusterTime: 1, wallTime: 1 } },
];

/**
 * ONE change stream per API instance on `dateSlots`, so a write made through any instance (or by
 * any other process) reaches this instance's subscribers. Resolves once its starting point is
 * fixed, so every change committed after `buildApp` returns is seen.
 *
 * Resumability: after every batch the stream's resume token (the post-batch token, which moves even
 * while nothing changes) is kept. The driver already resumes once by itself on a resumable error;
 * when the stream fails anyway, the loop reopens it with `startAfter` that token (which, unlike
 * `resumeAfter`, also works after an invalidate), with backoff, so no committed change is skipped.
 * Only when the server no longer has that point in its oplog are events lost: then every
 * subscription is ended with an error so clients reconnect and re-query.
 */
export async function startChangeFeed(options: ChangeFeedOptions): Promise<ChangeFeed> {
  const { slots, logger, onSlotChanged, onEventsLost, onFannedOut } = options;
  let resumeToken: ResumeToken | undefined;
  let stream: ChangeStream<DateSlotDoc> | undefined;
  let stopped = false;
  const stopping = new AbortController();

  /** Until the first resume token arrives, the stream starts at the cluster time read at start-up. */
  let startTime: Timestamp | undefined;

  const open = (): ChangeStream<DateSlotDoc> =>
    slots.watch<DateSlotDoc>(PIPELINE, {
      fullDocument: 'updateLookup',
      maxAwaitTimeMS: MAX_AWAIT_MS,
      ...(resumeToken ? { startAfter: resumeToken } : startTime ? { startAtOperationTime: startTime } : {}),
    });

  function deliver(change: ChangeStreamDocument<DateSlotDoc> | null): void {
    if (!change || !('fullDocument' in change) || !change.fullDocument) return;
    try {
      onSlotChanged(change.fullDocument);
      onFannedOut?.(change);
    } catch (error) {
      // A bug in delivery must not stall the stream or replay the same event forever.
      logger.error({ err: error }, 'availability feed: delivering a change failed');
    }
  }

  /** When the stream first failed, until it answers again. */
  let failedAt: number | undefined;

  async function readLoop(): Promise<void> {
    let retryMs = FIRST_RETRY_MS;
    while (!stopped) {
      try {
        stream ??= open();
        // tryNext answers null after an empty batch, so the token also advances while nothing changes.
        deliver(await stream.tryNext());
        resumeToken = stream.resumeToken ?? resumeToken;
        retryMs = FIRST_RETRY_MS;
        if (failedAt !== undefined) {
          logger.info({ downForMs: Date.now() - failedAt }, 'availability feed: change stream resumed');
          failedAt = undefined;
        }
        if (stream.closed && !stopped) {
          // An invalidate (dateSlots dropped or renamed) ends the stream; startAfter its token goes on.
          logger.warn('availability feed: change stream invalidated; reopening after it');
          stream = undefined;
        }
      } catch (error) {
        if (stopped) return;
        failedAt ??= Date.now();
        await stream?.close().catch(() => undefined);
        stream = undefined;
        if (error instanceof MongoServerError && typeof error.code === 'number' && HISTORY_LOST.has(error.code)) {
          logger.error({ err: error }, 'availability feed: resume point is gone; reopening from now, subscribers must re-query');
          resumeToken = undefined;
          startTime = undefined;
          onEventsLost(error);
        } else {
          logger.warn({ err: error, retryInMs: retryMs }, 'availability feed: change stream failed; resuming after the last resume token');
        }
        await sleep(retryMs, undefined, { signal: stopping.signal }).catch(() => undefined);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    }
  }

  // watch() is lazy; pinning the start to the current cluster time means every change committed
  // after this line is delivered, however late the first getMore runs.
  startTime = (await slots.db.command({ ping: 1 })).operationTime as Timestamp;
  logger.debug({ startTime }, 'availability feed: change stream on dateSlots starting');
  const loop = readLoop();

  return {
    isOpen: () => !stopped && failedAt === undefined,
    async stop() {
      stopped = true;
      stopping.abort();
      await stream?.close().catch(() => undefined);
      await loop;
      logger.debug('availability feed: stopped');
    },
  };
}
