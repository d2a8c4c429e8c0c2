/**
 * The one error type domain code throws. It knows nothing of GraphQL or HTTP: one table
 * (src/errorResponse.ts) says what each code is answered with, and every transport (GraphQL over
 * HTTP and WebSocket, the HTTP routes, the Stripe webhook) answers from it.
 */

/** Every code a client can see in `extensions.code`. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'PERSISTED_QUERY_NOT_FOUND'
  | 'NOT_FOUND'
  // The local-payments route's refusals (POST /dev/simulate-payment, src/http/localPayments.ts).
  | 'HOLD_NOT_PAYABLE'
  | 'CHECKOUT_NOT_STARTED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_IN_USE'
  | 'RATE_LIMITED'
  | 'TOO_MANY_SUBSCRIPTIONS'
  | 'PAYMENT_PROVIDER_ERROR'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

export interface DomainErrorDetails {
  /** The input field at fault, so a client can point at it. */
  field?: string;
  /** True when the same request may succeed later unchanged. */
  retryable?: boolean;
  retryAfterSeconds?: number;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: Exclude<ErrorCode, 'INTERNAL_SERVER_ERROR'>,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
  }
}

/** Bad input names the offending field. */
export function badInput(field: string, message: string): DomainError {
  return new DomainError('BAD_USER_INPUT', `${field}: ${message}`, { field });
}

/**
 * "Does not exist" and "is not yours" answer the same, so nobody learns that someone else's hold,
 * booking or account exists.
 */
export function notFound(field: string, what: string): DomainError {
  return new DomainError('NOT_FOUND', `${field}: no ${what} of yours has this id`, { field });
}
