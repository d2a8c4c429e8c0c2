import { MongoServerError } from 'mongodb';

/** MongoDB's duplicate key error code (a unique index refused a write). */
export const DUPLICATE_KEY = 11000;

/** A unique index refused the write: what an insert-first dedupe or a lost race looks like. */
export function isDuplicateKey(error: unknown): error is MongoServerError {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}
