import { GraphQLError } from 'graphql';

/** Every code a client can see in `extensions.code`. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_IN_USE'
  | 'RATE_LIMITED'
  | 'PAYMENT_PROVIDER_ERROR'
  | 'INTERNAL_SERVER_ERROR';

export function apiError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** Bad input names the offending field, so a client can point at it. */
export function badInput(field: string, message: string): GraphQLError {
  return apiError('BAD_USER_INPUT', `${field}: ${message}`, { field });
}
