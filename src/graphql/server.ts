import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Logger } from '../logger';
import type { Context } from './context';
import { mutationRateLimit, queryShapeLimits } from './limits';

export interface ApolloOptions {
  schema: GraphQLSchema;
  httpServer: Server;
  logger: Logger;
  production: boolean;
  mutationsPerMinute: number;
  /** Closes the graphql-ws server while Apollo drains HTTP. */
  disposeSubscriptions: () => Promise<void>;
}

/**
 * Errors that carry a code were meant for the client and pass through; anything else is a bug or
 * an outage: it is logged in full and the client sees only INTERNAL_SERVER_ERROR.
 */
function formatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
      const { stacktrace: _, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    logger.error({ err: error, path: formatted.path }, 'unexpected error in a GraphQL operation');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

export function createApolloServer(options: ApolloOptions): ApolloServer<Context> {
  const armor = queryShapeLimits(options.production);
  return new ApolloServer<Context>({
    schema: options.schema,
    introspection: !options.production,
    validationRules: armor.validationRules,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // main.ts owns signal handling, so shutdown happens once and in order.
    stopOnTerminationSignals: false,
    formatError: formatError(options.logger),
    plugins: [
      ...armor.plugins,
      mutationRateLimit(options.mutationsPerMinute),
      ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer }),
      { serverWillStart: async () => ({ drainServer: options.disposeSubscriptions }) },
    ],
  });
}
