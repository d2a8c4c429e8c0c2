import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Logger } from './logger';

export const REQUEST_ID_HEADER = 'x-request-id';
/** On an HTTP response whose mutation replayed a stored result (see `idempotentReplayed`). */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/**
 * What is known about the request (an HTTP request, or one operation on a WebSocket) whose work is
 * running now. Set once where the request enters and read wherever its id must appear: log lines,
 * GraphQL errors' `extensions.requestId`, the access log line and the operation metrics.
 */
export interface RequestScope {
  requestId: string;
  /** `performance.now()` when the request arrived. */
  startedAt: number;
  /** Filled in once the GraphQL operation is known, for the access log line. */
  operation?: string;
  outcome?: string;
  /**
   * Set when a mutation of the request answered with the stored result of an earlier one with
   * the same idempotency key (a replay); the transports say so (HTTP: `Idempotent-Replayed: true`,
   * both: `extensions.idempotentReplayed`).
   */
  idempotentReplayed?: boolean;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInRequest<T>(scope: RequestScope, work: () => T): T {
  return storage.run(scope, work);
}

export function currentRequest(): RequestScope | undefined {
  return storage.getStore();
}

/** The running request's answer includes a replayed result (idempotency keys); a no-op outside a request. */
export function noteIdempotentReplay(): void {
  const scope = storage.getStore();
  if (scope) scope.idempotentReplayed = true;
}

/** Letters, digits and `. _ : / + = -`, at most 128: what proxies and tracers send; anything else is replaced. */
const SANE_ID = /^[A-Za-z0-9._:/+=-]{1,128}$/;

export function isSaneId(value: unknown): value is string {
  return typeof value === 'string' && SANE_ID.test(value);
}

/** A client's or proxy's id when it is sane (so a report can quote the id the caller chose), else a fresh one. */
export function requestIdFrom(incoming: unknown): string {
  return isSaneId(incoming) ? incoming : randomUUID();
}

/**
 * The app's logger, adding `requestId` to every line written while a request's work runs, however
 * deep in the domain code the line is written. Works on any pino logger (tests pass their own).
 */
export function requestAwareLogger(logger: Logger): Logger {
  return logger.child(
    {},
    {
      formatters: {
        log(object) {
          const requestId = storage.getStore()?.requestId;
          return requestId === undefined || 'requestId' in object ? object : { requestId, ...object };
        },
      },
    },
  );
}
