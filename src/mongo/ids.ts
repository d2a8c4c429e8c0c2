import { type ClientSession, type Collection, type Document, ObjectId, type WithId } from 'mongodb';
import { assert } from '../assert';

/** Ids arrive as strings from clients; anything that is not a 24-hex ObjectId names nothing. */
export function parseObjectId(id: string): ObjectId | undefined {
  return /^[0-9a-f]{24}$/i.test(id) ? new ObjectId(id) : undefined;
}

/** The document with this client-given id, or null when the id names nothing (malformed or absent). */
export async function findById<T extends Document>(
  collection: Collection<T>,
  id: string | null | undefined,
  session?: ClientSession,
): Promise<WithId<T> | null> {
  const _id = id ? parseObjectId(id) : undefined;
  return _id ? collection.findOne({ _id } as never, { session }) : null;
}

/**
 * A document found before, read again as it stands now: for collections whose documents are never
 * deleted (holds, bookings, resources), so it is still there.
 */
export async function findAgain<T extends Document>(collection: Collection<T>, _id: ObjectId, session?: ClientSession): Promise<WithId<T>> {
  const found = await collection.findOne({ _id } as never, { session });
  assert(found, `${collection.collectionName} ${_id.toHexString()}, found before, is still there`);
  return found;
}
