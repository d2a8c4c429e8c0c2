import { type Db, type Document, MongoServerError } from 'mongodb';
import type { Logger } from '../logger';
import { type FeedEvent, WATCHED } from './commitGrouping';

/**
 * Slots and accounts are written by `$set`/`$inc` updates, so an update event carries only the
 * changed fields; with post-images (`changeStreamPreAndPostImages`) each event carries the document
 * exactly as that write left it, so a commit's message shows the state that transaction committed,
 * never a later one. Enabled on both collections (created if missing): idempotent, safe with
 * several instances starting at once. Ledger entries are only inserted.
 */
export async function enablePostImages(db: Db): Promise<void> {
  for (const name of [WATCHED.slots, WATCHED.accounts]) {
    await db.createCollection(name).catch((error: unknown) => {
      if (!(error instanceof MongoServerError && error.codeName === 'NamespaceExists')) throw error;
    });
    await db.command({ collMod: name, changeStreamPreAndPostImages: { enabled: true } });
  }
}

/**
 * An update without its post-image: its collection was dropped and created again without them
 * (post-images are a collection option). They are enabled again, and this one change shows the
 * document as it stands now, as `updateLookup` would.
 */
export async function lookUpMissingImage(db: Db, logger: Logger, change: FeedEvent): Promise<void> {
  logger.warn(
    { clusterTime: change.clusterTime, ns: change.ns },
    'live feed: an update without its post-image; enabling post-images again',
  );
  await enablePostImages(db);
  const coll = change.ns?.coll;
  if (coll && change.documentKey)
    change.fullDocument = await db.collection<Document>(coll).findOne({ _id: change.documentKey._id as never });
}
