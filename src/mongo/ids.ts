import { ObjectId } from 'mongodb';

/** Ids arrive as strings from clients; anything that is not a 24-hex ObjectId names nothing. */
export function parseObjectId(id: string): ObjectId | undefined {
  return /^[0-9a-f]{24}$/i.test(id) ? new ObjectId(id) : undefined;
}
