import { MongoBulkWriteError, MongoError, MongoNetworkError, MongoServerSelectionError } from 'mongodb';
import { DomainError } from '../errors';

/** Server codes that mean "no usable primary right now", not "your request is wrong". */
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** Also retried by the client: the outcome of a commit we could not confirm. A retry with the same idempotency key is safe. */
const UNAVAILABLE_LABELS = ['TransientTransactionError', 'UnknownTransactionCommitResult', 'RetryableWriteError', 'ResetPool'];

export const RETRY_AFTER_SECONDS = 2;

/**
 * MongoDB unreachable, frozen, without a primary, or too slow: a `SERVICE_UNAVAILABLE` the client
 * may retry (with the same idempotency key). Undefined for anything else, which stays a bug.
 */
export function asOutage(error: unknown): DomainError | undefined {
  if (!(error instanceof MongoError)) return undefined;
  // insertMany wraps what stopped it (e.g. a pool cleared by a primary shutting down) without its name or labels.
  if (error instanceof MongoBulkWriteError && error.errorResponse instanceof MongoError && error.errorResponse !== error) {
    return asOutage(error.errorResponse);
  }
  const unavailable =
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error.name === 'MongoOperationTimeoutError' ||
    error.name === 'MongoPoolClearedError' ||
    (typeof error.code === 'number' && UNAVAILABLE_CODES.has(error.code)) ||
    UNAVAILABLE_LABELS.some((label) => error.hasErrorLabel(label));
  if (!unavailable) return undefined;
  return new DomainError('SERVICE_UNAVAILABLE', 'The database is unavailable; retry shortly with the same idempotency key', {
    retryable: true,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });
}
