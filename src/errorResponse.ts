import { AssertionFailed } from './assert';
import { DomainError, type DomainErrorDetails, type ErrorCode } from './errors';
import { asOutage } from './mongo';

/**
 * The one table from an error to what a client is answered, reused by every transport (as Medusa's
 * one `getHttpResponseFromError` is by every route): GraphQL over HTTP and WebSocket
 * (src/graphql/masking.ts, src/graphql/errors.ts), the HTTP layer's own answers
 * (src/http/errorHandler.ts), the Stripe webhook and the local-payments route. A transport only
 * decides how to send the answer (a GraphQL error, a JSON body, a status Stripe acts on). Domain code
 * never imports this file: it throws `DomainError`s and knows nothing of HTTP.
 */

interface CodeRow {
  /** The HTTP status of a response this error answers on its own (a route, or a GraphQL request it fails). */
  status: number;
  /**
   * In GraphQL the error fails the request as a whole, so the response takes `status`; any other
   * code is one field's error, answered in a 200 next to the data that did resolve.
   */
  failsRequest?: true;
  /** The same request may succeed later whatever the error's details say (Stripe is told to redeliver). */
  retryable?: true;
}

const BY_CODE: Record<ErrorCode, CodeRow> = {
  BAD_USER_INPUT: { status: 400 },
  BAD_REQUEST: { status: 400, failsRequest: true },
  UNAUTHENTICATED: { status: 401, failsRequest: true },
  // failsRequest only outside resolvers (a wrong role in a resolver stays a field error, 200): TRUSTED_DOCUMENTS refusing a document.
  FORBIDDEN: { status: 403, failsRequest: true },
  NOT_FOUND: { status: 404 },
  PERSISTED_QUERY_NOT_FOUND: { status: 404, failsRequest: true },
  HOLD_NOT_PAYABLE: { status: 409 },
  CHECKOUT_NOT_STARTED: { status: 409 },
  IDEMPOTENCY_KEY_IN_USE: { status: 409 },
  IDEMPOTENCY_KEY_REUSED: { status: 422 },
  RATE_LIMITED: { status: 429, failsRequest: true },
  TOO_MANY_SUBSCRIPTIONS: { status: 429 },
  PAYMENT_PROVIDER_ERROR: { status: 502 },
  SERVICE_UNAVAILABLE: { status: 503, failsRequest: true, retryable: true },
  INTERNAL_SERVER_ERROR: { status: 500 },
};

/** What a client sees in `extensions`: the code and whatever details the error carries (a type literal, so GraphQL takes it). */
export type ErrorExtensions = Pick<DomainErrorDetails, keyof DomainErrorDetails> & { code: ErrorCode };

export interface ErrorResponse {
  /**
   * - `refusal`: a `DomainError`, the request's own fault or a state it must wait out;
   * - `outage`: MongoDB unreachable, frozen, without a primary or too slow (SERVICE_UNAVAILABLE);
   * - `assertion`: a broken invariant (`AssertionFailed`, src/assert.ts);
   * - `unexpected`: anything else.
   */
  kind: 'refusal' | 'outage' | 'assertion' | 'unexpected';
  /** The HTTP status of a response this error answers on its own (a route, or a GraphQL request it fails). */
  status: number;
  /** In GraphQL: the error fails the request as a whole (the response takes `status`), not one field. */
  failsRequest: boolean;
  code: ErrorCode;
  /** What the client is told; a bug's own message never reaches it. */
  message: string;
  extensions: ErrorExtensions;
  /** `Retry-After` where the wait is known. */
  headers: Record<string, string>;
  /** The same request may succeed later unchanged (with the same idempotency key). */
  retryable: boolean;
  /** A failed assertion or an error nobody expected: logged in full, answered INTERNAL_SERVER_ERROR and nothing more. */
  bug: boolean;
}

/** The domain error an error is answered as: itself, or SERVICE_UNAVAILABLE for MongoDB being unavailable; undefined for a bug. */
export function asDomainError(error: unknown): DomainError | undefined {
  return error instanceof DomainError ? error : asOutage(error);
}

/** What `error` is answered with, whatever transport it reached. */
export function errorResponse(error: unknown): ErrorResponse {
  if (error instanceof DomainError) return refusal(error, 'refusal');
  const outage = asOutage(error);
  if (outage) return refusal(outage, 'outage');
  return {
    kind: error instanceof AssertionFailed ? 'assertion' : 'unexpected',
    status: BY_CODE.INTERNAL_SERVER_ERROR.status,
    failsRequest: false,
    code: 'INTERNAL_SERVER_ERROR',
    message: 'Internal server error',
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
    headers: {},
    retryable: false,
    bug: true,
  };
}

function refusal(error: DomainError, kind: 'refusal' | 'outage'): ErrorResponse {
  const row = BY_CODE[error.code];
  const retryAfter = error.details.retryAfterSeconds;
  return {
    kind,
    status: row.status,
    failsRequest: row.failsRequest === true,
    code: error.code,
    message: error.message,
    extensions: { ...error.details, code: error.code },
    headers: retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
    retryable: error.details.retryable === true || row.retryable === true,
    bug: false,
  };
}
