import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { errorResponse } from '../errorResponse';
import type { Logger } from '../logger';

export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** The error a resolver or plugin actually threw, under graphql-js's and Apollo's wrappers. */
function rootCause(error: unknown): unknown {
  let current = error;
  // Duck-typed: Apollo, graphql-ws and our code may each hold their own copy of GraphQLError.
  while (current instanceof Error && (current as GraphQLError).originalError) current = (current as GraphQLError).originalError;
  return current;
}

const SUGGESTION = /\s*Did you mean[^?]*\?/g;

/**
 * The one rule for what a client sees, on HTTP and WebSocket alike, read from the one error table
 * (src/errorResponse.ts): a `DomainError` becomes its code and details; MongoDB being unreachable,
 * frozen or without a primary is SERVICE_UNAVAILABLE (retryable); a failed assertion is a bug; an
 * error the table does not know that already carries a code (parse, validation, variable coercion,
 * query limits) passes through without stack traces; anything else is a bug, logged in full and
 * answered only as INTERNAL_SERVER_ERROR.
 */
export function errorMasking(logger: Logger, production: boolean): FormatError {
  return (formatted, error) => {
    const { locations, path } = formatted;
    const cause = rootCause(error);
    const response = errorResponse(cause);
    if (response.kind === 'outage') {
      logger.warn({ err: cause, path }, 'MongoDB unavailable during a GraphQL operation; answered SERVICE_UNAVAILABLE');
    }
    if (!response.bug) return { message: response.message, locations, path, extensions: response.extensions };
    const code = formatted.extensions?.code;
    if (response.kind === 'unexpected' && typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
      const { stacktrace: _s, http: _h, exception: _e, ...extensions } = formatted.extensions ?? {};
      const message = production ? formatted.message.replace(SUGGESTION, '') : formatted.message;
      return { message, locations, path, extensions: { ...extensions, code } };
    }
    logger.error({ err: cause, path }, 'unexpected error in a GraphQL operation');
    return { message: response.message, path, extensions: response.extensions };
  };
}
