import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { GraphQLSchema } from 'graphql';
import type { Context } from './context';
import { asGraphQLError } from './errors';
import { refuseSubscriptionsOverHttp } from './httpSubscriptions';
import type { OperationPipeline } from './pipeline';

export interface ApolloOptions {
  schema: GraphQLSchema;
  httpServer: Server;
  pipeline: OperationPipeline;
  /** More plugins, e.g. the operation metrics. */
  plugins?: ApolloServerPlugin<Context>[];
  /** Closes the graphql-ws server while Apollo drains HTTP. */
  disposeSubscriptions: () => Promise<void>;
}

/** The pipeline's rate limiter, counted once the operation type is known (RATE_LIMITED, HTTP 429). */
function rateLimitPlugin({ rateLimiter }: OperationPipeline): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation !== 'mutation' || !contextValue.caller) return;
          try {
            rateLimiter.countMutation(contextValue.caller.id);
          } catch (error) {
            throw asGraphQLError(error);
          }
        },
      };
    },
  };
}

/**
 * HTTP semantics for errors that fail the request as a whole: SERVICE_UNAVAILABLE is a 503, and
 * anything with `retryAfterSeconds` (outages, the rate limit) carries a `Retry-After` header.
 */
function retryHeadersPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors ?? [];
          if (errors.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')) response.http.status = 503;
          const retryAfter = errors.map((e) => e.extensions?.retryAfterSeconds).find((s) => typeof s === 'number');
          if (retryAfter !== undefined) response.http.headers.set('retry-after', String(retryAfter));
        },
      };
    },
  };
}

/**
 * What a browser gets at `GET /graphql`: outside production, Apollo Sandbox (an IDE loaded from
 * Apollo's CDN, working against this endpoint with introspection, which is on there too); in
 * production nothing, so the GET is answered as any other GraphQL GET (400 without a query).
 */
function landingPage(production: boolean): ApolloServerPlugin<Context> {
  if (production) return ApolloServerPluginLandingPageDisabled();
  return ApolloServerPluginLandingPageLocalDefault({ embed: { runTelemetry: false }, includeCookies: false, footer: false });
}

/** GraphQL over HTTP: Apollo Server with the shared pipeline's rules, limiter and masking. */
export function createApolloServer(options: ApolloOptions): ApolloServer<Context> {
  const { pipeline } = options;
  return new ApolloServer<Context>({
    schema: options.schema,
    introspection: !pipeline.production,
    validationRules: pipeline.limits.validationRules,
    // Over the limit is a syntax error like any other: GRAPHQL_PARSE_FAILED, HTTP 400 (as over WebSocket).
    parseOptions: pipeline.limits.parseOptions,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // main.ts owns signal handling, so shutdown happens once and in order.
    stopOnTerminationSignals: false,
    formatError: pipeline.formatError,
    plugins: [
      ...pipeline.limits.apolloPlugins,
      refuseSubscriptionsOverHttp(),
      rateLimitPlugin(pipeline),
      retryHeadersPlugin(),
      ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer }),
      landingPage(pipeline.production),
      ...(options.plugins ?? []),
      { serverWillStart: async () => ({ drainServer: options.disposeSubscriptions }) },
    ],
  });
}
