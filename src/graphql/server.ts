import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { currentRequest, IDEMPOTENT_REPLAYED_HEADER } from '../requestContext';
import { apolloPipeline } from './apolloPipeline';
import type { Context } from './context';
import { refuseSubscriptionsOverHttp } from './httpSubscriptions';
import type { OperationPipeline } from './pipeline';

export interface ApolloOptions {
  httpServer: Server;
  pipeline: OperationPipeline;
  /** More plugins, e.g. the operation metrics. */
  plugins?: ApolloServerPlugin<Context>[];
  /** Closes the graphql-ws server while Apollo drains HTTP. */
  disposeSubscriptions: () => Promise<void>;
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
 * An answer that holds a replay (a keyed mutation answered with the result stored for its
 * idempotency key) says so: the `Idempotent-Replayed: true` header and `extensions.idempotentReplayed`.
 * The request's scope knows (the idempotency runner notes it there); a first execution has neither.
 */
function replayedPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (!currentRequest()?.idempotentReplayed || response.body.kind !== 'single') return;
          response.http.headers.set(IDEMPOTENT_REPLAYED_HEADER, 'true');
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, idempotentReplayed: true };
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

/** GraphQL over HTTP: Apollo Server on the one pipeline (its documents, admission and masking). */
export function createApolloServer(options: ApolloOptions): ApolloServer<Context> {
  const { pipeline } = options;
  const { documentStore, plugin } = apolloPipeline(pipeline);
  return new ApolloServer<Context>({
    schema: pipeline.schema,
    introspection: !pipeline.production,
    documentStore,
    // Apollo's automatic persisted queries stay as they are, but with TRUSTED_DOCUMENTS the pipeline
    // alone says which documents run (by hash or text), so Apollo must not learn any of its own.
    persistedQueries: pipeline.trustedOnly ? false : undefined,
    // Apollo parses and validates only a document the pipeline refused, to answer the refusal: with
    // the same limits, so over the token limit is GRAPHQL_PARSE_FAILED, HTTP 400 (as over WebSocket).
    validationRules: pipeline.limits.validationRules,
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
      plugin,
      retryHeadersPlugin(),
      replayedPlugin(),
      ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer }),
      landingPage(pipeline.production),
      ...(options.plugins ?? []),
      { serverWillStart: async () => ({ drainServer: options.disposeSubscriptions }) },
    ],
  });
}
