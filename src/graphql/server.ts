import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { DomainError } from '../errors';
import type { Logger } from '../logger';
import type { Context } from './context';
import { domainExtensions, toGraphQLError } from './errors';
import { refuseSubscriptionsOverHttp } from './httpSubscriptions';
import { queryShapeLimits } from './limits';
import { mutationRateLimiter } from './rateLimit';

export interface ApolloOptions {
  schema: GraphQLSchema;
  httpServer: Server;
  logger: Logger;
  production: boolean;
  mutationsPerMinute: number;
  /** Closes the graphql-ws server while Apollo drains HTTP. */
  disposeSubscriptions: () => Promise<void>;
}

/** The error a resolver or plugin actually threw, under graphql-js's and Apollo's wrappers. */
function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && (current as GraphQLError).originalError) current = (current as GraphQLError).originalError;
  return current;
}

/**
 * A DomainError becomes its code and details; other errors that carry a code were meant for the
 * client and pass through; anything else is a bug or an outage: it is logged in full and the
 * client sees only INTERNAL_SERVER_ERROR.
 */
function formatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const cause = rootCause(error);
    if (cause instanceof DomainError) {
      return { message: cause.message, locations: formatted.locations, path: formatted.path, extensions: domainExtensions(cause) };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
      const { stacktrace: _, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    logger.error({ err: error, path: formatted.path }, 'unexpected error in a GraphQL operation');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** The shared mutation rate limiter, counted once the operation type is known (RATE_LIMITED, HTTP 429). */
function rateLimitPlugin(perMinute: number): ApolloServerPlugin<Context> {
  const limiter = mutationRateLimiter(perMinute);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation !== 'mutation' || !contextValue.caller) return;
          try {
            limiter.countMutation(contextValue.caller.id);
          } catch (error) {
            throw error instanceof DomainError ? toGraphQLError(error) : error;
          }
        },
      };
    },
  };
}

export function createApolloServer(options: ApolloOptions): ApolloServer<Context> {
  const armor = queryShapeLimits(options.production);
  return new ApolloServer<Context>({
    schema: options.schema,
    introspection: !options.production,
    validationRules: armor.validationRules,
    parseOptions: armor.parseOptions,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // main.ts owns signal handling, so shutdown happens once and in order.
    stopOnTerminationSignals: false,
    formatError: formatError(options.logger),
    plugins: [
      ...armor.apolloPlugins,
      rateLimitPlugin(options.mutationsPerMinute),
      refuseSubscriptionsOverHttp(),
      ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer }),
      { serverWillStart: async () => ({ drainServer: options.disposeSubscriptions }) },
    ],
  });
}
