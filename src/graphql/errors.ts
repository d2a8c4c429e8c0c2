import { GraphQLError } from 'graphql';
import { DomainError, type ErrorCode } from '../errors';

/** HTTP statuses for codes that fail a whole request; field errors keep 200 as GraphQL expects. */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
};

/** The `extensions` a client sees for a domain error: its code and whatever details it carries. */
export function domainExtensions(error: DomainError): Record<string, unknown> {
  return { ...error.details, code: error.code };
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
