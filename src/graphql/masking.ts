import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { DomainError } from '../errors';
import type { Logger } from '../logger';
import { asOutage } from '../mongo';
import { domainExtensions } from './errors';

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
 * The one rule for what a client sees, on HTTP and WebSocket alike: a `DomainError` becomes its
 * code and details; MongoDB being unreachable, frozen or without a primary is SERVICE_UNAVAILABLE
 * (retryable); an error that already carries a code (parse, validation, variable coercion,
 * query limits) passes through without stack traces; anything else is a bug or an outage, logged
 * in full and answered only as INTERNAL_SERVER_ERROR.
 */
export function errorMasking(logger: Logger, production: boolean): FormatError {
  return (formatted, error) => {
    const { locations, path } = formatted;
    const cause = rootCause(error);
    if (cause instanceof DomainError) {
      return { message: cause.message, locations, path, extensions: domainExtensions(cause) };
    }
    const outage = asOutage(cause);
    if (outage) {
      logger.warn({ err: cause, path }, 'MongoDB unavailable during a GraphQL operation; answered SERVICE_UNAVAILABLE');
      return { message: outage.message, locations, path, extensions: domainExtensions(outage) };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
      const { stacktrace: _s, http: _h, exception: _e, ...extensions } = formatted.extensions ?? {};
      const message = production ? formatted.message.replace(SUGGESTION, '') : formatted.message;
      return { message, locations, path, extensions: { ...extensions, code } };
    }
    logger.error({ err: cause, path }, 'unexpected error in a GraphQL operation');
    return { message: 'Internal server error', path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
