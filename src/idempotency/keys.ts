import { createHash } from 'node:crypto';
import { badInput } from '../errors';
import { standaloneInserter } from './batchedKeys';
import type { IdempotencyRunnerOptions, RunIdempotent } from './keyContext';
import { runKeyFirst } from './keyFirst';
import { runWithEffect } from './keyWithEffect';

export {
  DEFAULT_LEASE_MS,
  type IdempotencyHooks,
  type IdempotencyRunnerOptions,
  type IdempotentRequest,
  type IdempotentWork,
  type KeyUse,
  type RunIdempotent,
} from './keyContext';

const MAX_KEY_LENGTH = 255;

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

/**
 * Stripe-style idempotency keys. The key is inserted first (`in_progress`, with a hash of the
 * input and a lease) under a unique index, so of many concurrent requests with one key exactly one
 * does the work; the others get the stored result, `IDEMPOTENCY_KEY_IN_USE` while it runs, or
 * `IDEMPOTENCY_KEY_REUSED` if their input differs. A request that throws gives its key back.
 *
 * A request that dies (process killed) leaves its key `in_progress`; once the lease has passed, a
 * retry takes the key over and does the work itself. Completion is fenced by owner: a request that
 * was taken over and wakes up finds its owner gone, so its transaction aborts and it answers
 * `IDEMPOTENCY_KEY_IN_USE` (retryable), whose retry gets the result the new owner stored.
 *
 * A request whose whole effect is one transaction (`keyWithEffect`, e.g. holdDates) does not take
 * its key first: the key is inserted once, completed, in the effect's own transaction, which saves
 * the first insert and the completion's update (two round trips) and leaves no lease to wait out.
 */
export function idempotencyRunner(options: IdempotencyRunnerOptions): RunIdempotent {
  const context = { ...options, insertStandalone: standaloneInserter(options.keys) };
  return async function runIdempotent(request, work) {
    const { key } = request;
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw badInput('idempotencyKey', `must be 1 to ${MAX_KEY_LENGTH} characters`);
    }
    const requestHash = createHash('sha256').update(canonical(request.input)).digest('hex');
    return request.keyWithEffect ? runWithEffect(context, request, requestHash, work) : runKeyFirst(context, request, requestHash, work);
  };
}
