import { type ClientSession, type Collection, MongoBulkWriteError } from 'mongodb';
import { assert } from '../assert';
import { DomainError } from '../errors';
import { DUPLICATE_KEY, isDuplicateKey, OrderFailed } from '../mongo';
import type { IdempotencyKeyDoc, KeyDocument } from './collection';

/** A key-with-effect request found its key already recorded: the runner treats the key as found. */
export class KeyAlreadyRecorded extends Error {
  constructor(cause: unknown) {
    super('the idempotency key was already recorded', { cause });
  }
}

/** What a key-with-effect `record` offers a batch: its key document, to be inserted with the others' in one write. */
export interface BatchedRecord<T> {
  keys: Collection<IdempotencyKeyDoc>;
  document(result: T): KeyDocument;
  /** Called once the document is inserted in the effect's transaction. */
  recorded(result: T): void;
}

/** Stores the result inside the effect's own transaction, so effect and result commit together. */
export interface RecordResult<T> {
  (session: ClientSession, result: T): Promise<void>;
  /** Present for key-with-effect requests (see `recordAll`). */
  readonly batched?: BatchedRecord<T>;
}

/** One request's result, to be recorded under its key by `recordAll`. */
export interface Recording<T = unknown> {
  record: RecordResult<T>;
  result: T;
}

const firstWriteError = (error: unknown) => (error instanceof MongoBulkWriteError ? [error.writeErrors].flat()[0] : undefined);

/**
 * Records the results of a batch's requests inside the batch's transaction: every key-with-effect
 * key with ONE ordered `insertMany`, any other (a key taken first) by its own fenced update. A key that is
 * already recorded (a retry's twin committed first) or was taken over fails only its own request:
 * `OrderFailed` with that request's index, so the batch runs again without it. `null` stands for a
 * request with nothing to record (refused), so indexes are the batch's.
 */
export async function recordAll<T>(session: ClientSession, recordings: readonly (Recording<T> | null)[]): Promise<void> {
  const batched = recordings.flatMap((recording, index) => {
    const batched = recording?.record.batched;
    return recording && batched ? [{ index, batched, result: recording.result }] : [];
  });
  if (batched.length > 0) {
    try {
      const inserted = await batched[0].batched.keys.insertMany(
        batched.map(({ batched, result }) => batched.document(result)),
        { session, ordered: true },
      );
      // Each request is told its key is recorded (below): so every one of them must be.
      assert(inserted.insertedCount === batched.length, `${inserted.insertedCount} of ${batched.length} keys recorded`);
    } catch (error) {
      const failed = firstWriteError(error);
      if (failed?.code === DUPLICATE_KEY) throw new OrderFailed(batched[failed.index].index, new KeyAlreadyRecorded(error));
      throw error;
    }
    for (const { batched: record, result } of batched) record.recorded(result);
  }
  for (const [index, recording] of recordings.entries()) {
    if (!recording || recording.record.batched) continue;
    try {
      await recording.record(session, recording.result);
    } catch (error) {
      // Only that request is at fault: its key was taken over by a retry. Anything else (the database) is the batch's.
      if (error instanceof DomainError || isDuplicateKey(error)) throw new OrderFailed(index, error);
      throw error;
    }
  }
}

/**
 * Key documents written outside a transaction in the same turn of the event loop (the outcomes
 * without an effect of a whole batch of requests answered together) go out as ONE unordered
 * `insertMany`; each caller learns its own document's fate.
 */
export function standaloneInserter(keys: Collection<IdempotencyKeyDoc>) {
  let pending: { doc: KeyDocument; resolve(): void; reject(error: unknown): void }[] = [];

  async function flush(): Promise<void> {
    const batch = pending;
    pending = [];
    try {
      await keys.insertMany(
        batch.map((p) => p.doc),
        { ordered: false },
      );
      batch.forEach((p) => p.resolve());
    } catch (error) {
      const writeErrors = error instanceof MongoBulkWriteError ? [error.writeErrors].flat() : [];
      if (writeErrors.length === 0) return batch.forEach((p) => p.reject(error));
      const failed = new Map<number, unknown>();
      for (const { index, code } of writeErrors) failed.set(index, code === DUPLICATE_KEY ? new KeyAlreadyRecorded(error) : error);
      batch.forEach((p, i) => (failed.has(i) ? p.reject(failed.get(i)) : p.resolve()));
    }
  }

  return (doc: KeyDocument) =>
    new Promise<void>((resolve, reject) => {
      if (pending.length === 0) setImmediate(() => void flush());
      pending.push({ doc, resolve, reject });
    });
}
