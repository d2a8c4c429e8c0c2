import { createHash, randomUUID } from 'node:crypto';
import { type ClientSession, type Collection, type Db, MongoServerError, ObjectId } from 'mongodb';
import type { Clock } from '../clock';
import { DomainError, badInput } from '../errors';

const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
const MAX_KEY_LENGTH = 255;

export interface IdempotencyKeyDoc {
  scope: string;
  key: string;
  requestHash: string;
  state: 'in_progress' | 'completed';
  /** Identifies the request that owns an in-progress key, so only it may give the key back. */
  owner: string;
  result?: unknown;
  createdAt: Date;
  expiresAt: Date;
}

export function idempotencyCollection(db: Db): Collection<IdempotencyKeyDoc> {
  return db.collection<IdempotencyKeyDoc>('idempotencyKeys');
}

export async function ensureIdempotencyIndexes(keys: Collection<IdempotencyKeyDoc>): Promise<void> {
  await keys.createIndex({ scope: 1, key: 1 }, { unique: true });
  // The TTL monitor only tidies up (about once a minute); expiry itself is decided by query.
  await keys.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
}

/** Stores the result inside the effect's own transaction, so effect and result commit together. */
export type RecordResult<T> = (session: ClientSession, result: T) => Promise<void>;

export interface IdempotentRequest {
  /** Caller + mutation: the same key from another caller or for another mutation is a different key. */
  scope: string;
  key: string;
  input: unknown;
}

export type RunIdempotent = <T>(request: IdempotentRequest, work: (record: RecordResult<T>) => Promise<T>) => Promise<T>;

/** JSON with object keys sorted, so the same input always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

/**
 * Stripe-style idempotency keys. The key is inserted first (`in_progress`, with a hash of the
 * input) under a unique index, so of many concurrent requests with one key exactly one does the
 * work; the others get the stored result, `IDEMPOTENCY_KEY_IN_USE` while it runs, or
 * `IDEMPOTENCY_KEY_REUSED` if their input differs. A request that throws gives its key back.
 */
export function idempotencyRunner(keys: Collection<IdempotencyKeyDoc>, clock: Clock): RunIdempotent {
  async function claim(scope: string, key: string, requestHash: string): Promise<{ id: ObjectId; owner: string } | { stored: unknown }> {
    const now = clock.now();
    const fresh = {
      scope,
      key,
      requestHash,
      state: 'in_progress' as const,
      owner: randomUUID(),
      createdAt: now,
      expiresAt: new Date(now.getTime() + KEY_LIFETIME_MS),
    };
    try {
      const { insertedId } = await keys.insertOne({ ...fresh });
      return { id: insertedId, owner: fresh.owner };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    // A key past its lifetime is free again, whether or not the TTL monitor has removed it yet.
    const revived = await keys.findOneAndReplace({ scope, key, expiresAt: { $lte: now } }, fresh, { projection: { _id: 1 } });
    if (revived) return { id: revived._id, owner: fresh.owner };
    const existing = await keys.findOne({ scope, key });
    if (!existing) return claim(scope, key, requestHash);
    if (existing.requestHash !== requestHash) {
      throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used with a different input');
    }
    if (existing.state === 'in_progress') {
      throw new DomainError('IDEMPOTENCY_KEY_IN_USE', 'A request with this idempotency key is still running; retry shortly', {
        retryable: true,
      });
    }
    return { stored: existing.result };
  }

  return async function runIdempotent<T>(request: IdempotentRequest, work: (record: RecordResult<T>) => Promise<T>): Promise<T> {
    if (request.key.length === 0 || request.key.length > MAX_KEY_LENGTH) {
      throw badInput('idempotencyKey', `must be 1 to ${MAX_KEY_LENGTH} characters`);
    }
    const claimed = await claim(request.scope, request.key, createHash('sha256').update(canonical(request.input)).digest('hex'));
    if ('stored' in claimed) return claimed.stored as T;
    const complete = (result: T, session?: ClientSession) =>
      keys.updateOne(
        { _id: claimed.id, owner: claimed.owner, state: 'in_progress' },
        { $set: { state: 'completed', result } },
        { session },
      );
    let result: T;
    let recordedWithEffect: T | undefined;
    try {
      result = await work(async (session, value) => {
        await complete(value, session);
        recordedWithEffect = value;
      });
    } catch (error) {
      await keys.deleteOne({ _id: claimed.id, owner: claimed.owner, state: 'in_progress' });
      throw error;
    }
    // Outcomes without an effect (dates unavailable, insufficient funds) were not recorded inside a
    // transaction. Each transaction attempt builds a new result object, so identity tells whether
    // the answer we return is the one that committed with the effect.
    if (result !== recordedWithEffect) await complete(result);
    return result;
  };
}
