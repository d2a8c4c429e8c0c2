import { GraphQLError } from 'graphql';
import type { DomainError } from '../errors';
import { asDomainError, errorResponse } from '../errorResponse';

/**
 * For code outside resolvers (the HTTP context, plugins, the WebSocket's operation checks): a domain
 * error, or MongoDB being unavailable, as the GraphQL error Apollo and graphql-ws send; anything
 * else unchanged, for masking to log and hide.
 */
export function asGraphQLError(error: unknown): unknown {
  const known = asDomainError(error);
  return known ? toGraphQLError(known) : error;
}

/**
 * A domain error thrown outside a resolver (context, plugins), where Apollo reads `extensions.http`:
 * a code that fails the whole request (src/errorResponse.ts) gives the response its status and
 * `Retry-After`.
 */
export function toGraphQLError(error: DomainError): GraphQLError {
  const { message, extensions, failsRequest, status, headers } = errorResponse(error);
  return new GraphQLError(message, {
    originalError: error,
    extensions: { ...extensions, ...(failsRequest ? { http: { status, headers: new Map(Object.entries(headers)) } } : {}) },
  });
}
