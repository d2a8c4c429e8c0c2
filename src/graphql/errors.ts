import { GraphQLError } from 'graphql';
import { DomainError, type ErrorCode } from '../errors';
import { asOutage } from '../mongo';

/** HTTP statuses for codes that fail a whole request; field errors keep 200 as GraphQL expects. */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  // Only outside resolvers (a wrong role in a resolver stays a field error, 200): TRUSTED_DOCUMENTS refusing a document.
  FORBIDDEN: 403,
  PERSISTED_QUERY_NOT_FOUND: 404,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
};

/** The `extensions` a client sees for a domain error: its code and whatever details it carries. */
export function domainExtensions(error: DomainError): Record<string, unknown> {
  return { ...error.details, code: error.code };
}

/**
 * For code outside resolvers (the HTTP context, plugins, the WebSocket's operation checks): a domain
 * error, or MongoDB being unavailable, as the GraphQL error Apollo and graphql-ws send; anything
 * else unchanged, for masking to log and hide.
 */
export function asGraphQLError(error: unknown): unknown {
  const known = error instanceof DomainError ? error : asOutage(error);
  return known ? toGraphQLError(known) : error;
}

/** A domain error thrown outside a resolver (context, plugins), where Apollo reads `extensions.http`. */
export function toGraphQLError(error: DomainError): GraphQLError {
  const status = HTTP_STATUS[error.code];
  const retryAfter = error.details.retryAfterSeconds;
  const headers = new Map(retryAfter === undefined ? [] : [['retry-after', String(retryAfter)]]);
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: { ...domainExtensions(error), ...(status ? { http: { status, headers } } : {}) },
  });
}
