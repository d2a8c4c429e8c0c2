import type { Server } from 'node:http';
import {
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  execute,
  getOperationAST,
  parse,
  specifiedRules,
  subscribe,
  validate,
} from 'graphql';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { DomainError } from '../errors';
import type { Logger } from '../logger';
import type { Context } from './context';
import { asGraphQLError, toGraphQLError } from './errors';
import type { OperationPipeline } from './pipeline';

export interface WebSocketLimits {
  /** Open connections per user (anonymous connections count per remote address); over it → close 4430. */
  maxConnectionsPerUser: number;
  /** Operations running at once on one connection; over it the new one is refused with TOO_MANY_SUBSCRIPTIONS. */
  maxSubscriptionsPerConnection: number;
  /** Largest message a client may send; over it the connection is closed with 1009 (Message Too Big). */
  maxMessageBytes: number;
}

export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = {
  maxConnectionsPerUser: 20,
  maxSubscriptionsPerConnection: 50,
  maxMessageBytes: 100 * 1024,
};

export const CLOSE_TOO_MANY_CONNECTIONS = 4430;
const CLOSE_TRY_AGAIN_LATER = 1013;

export interface WebSocketOptions {
  server: Server;
  path: string;
  schema: GraphQLSchema;
  pipeline: OperationPipeline;
  logger: Logger;
  limits: WebSocketLimits;
  /** Verifies the `connection_init` payload's `authorization`; throws UNAUTHENTICATED for a bad token. */
  authenticate: (authorization: unknown) => Promise<Context['caller']>;
  services: Context['services'];
}

type Extra = {
  caller?: Context['caller'];
  connectionKey?: string;
};

const withCode = (error: GraphQLError, code: string) =>
  new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code },
  });

/** Errors before execution (variables that do not coerce, no operation) are the client's, as Apollo treats them. */
function markRequestErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors || result.data !== undefined) return result;
  return { ...result, errors: result.errors.map((e) => (e.path || e.extensions?.code ? e : withCode(e, 'BAD_USER_INPUT'))) };
}

/**
 * GraphQL over WebSocket (graphql-ws) with the same pipeline as HTTP: the same parse-time token
 * limit, validation rules, per-user mutation rate limit and error masking. Queries, mutations and
 * subscriptions are all accepted, so a client may use one connection for everything and meet the
 * same answers it would over HTTP.
 */
export function serveGraphQLOverWebSocket(options: WebSocketOptions): Disposable {
  const { schema, pipeline, logger, limits } = options;
  const wsServer = new WebSocketServer({ server: options.server, path: options.path, maxPayload: limits.maxMessageBytes });
  const connections = new Map<string, number>();
  const rules = [...specifiedRules, ...pipeline.limits.validationRules];
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => pipeline.formatError(e.toJSON(), e));

  function prepare(
    caller: Context['caller'],
    payload: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null },
  ): ExecutionArgs | GraphQLError[] {
    let document;
    try {
      document = parse(payload.query, pipeline.limits.parseOptions);
    } catch (error) {
      return [error instanceof GraphQLError ? withCode(error, 'GRAPHQL_PARSE_FAILED') : new GraphQLError(String(error))];
    }
    const invalid = validate(schema, document, rules);
    if (invalid.length > 0) return invalid.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return [toGraphQLError(new DomainError('BAD_REQUEST', 'Name one operation of the document in operationName'))];
    if (operation.operation === 'mutation' && caller) pipeline.rateLimiter.countMutation(caller.id);
    return {
      schema,
      document,
      variableValues: payload.variables,
      operationName: payload.operationName,
      contextValue: { caller, services: options.services } satisfies Context,
    };
  }

  return useServer<{ authorization?: unknown }, Extra>(
    {
      schema,
      execute: async (args) => markRequestErrors(await execute(args)),
      subscribe: async (args) => {
        const result = await subscribe(args);
        return Symbol.asyncIterator in result ? result : markRequestErrors(result);
      },
      onConnect: async (ctx) => {
        try {
          ctx.extra.caller = await options.authenticate(ctx.connectionParams?.authorization);
        } catch (error) {
          if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') return false;
          logger.warn({ err: error }, 'could not accept a WebSocket connection');
          ctx.extra.socket.close(CLOSE_TRY_AGAIN_LATER, 'Service unavailable; retry shortly');
          return false;
        }
        const key = ctx.extra.caller ? `user:${ctx.extra.caller.id}` : `anonymous:${ctx.extra.request.socket.remoteAddress}`;
        const open = connections.get(key) ?? 0;
        if (open >= limits.maxConnectionsPerUser) {
          ctx.extra.socket.close(CLOSE_TOO_MANY_CONNECTIONS, `At most ${limits.maxConnectionsPerUser} connections per user`);
          return false;
        }
        connections.set(key, open + 1);
        ctx.extra.connectionKey = key;
        return true;
      },
      onClose: (ctx) => {
        const key = ctx.extra.connectionKey;
        if (!key) return;
        const left = (connections.get(key) ?? 1) - 1;
        if (left > 0) connections.set(key, left);
        else connections.delete(key);
      },
      onSubscribe: (ctx, _id, payload) => {
        try {
          // This operation is already counted in ctx.subscriptions.
          if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerConnection) {
            throw new DomainError(
              'TOO_MANY_SUBSCRIPTIONS',
              `At most ${limits.maxSubscriptionsPerConnection} operations at once per connection`,
            );
          }
          return prepare(ctx.extra.caller, payload);
        } catch (error) {
          const known = asGraphQLError(error);
          return [known === error ? new GraphQLError('unexpected', { originalError: error as Error }) : (known as GraphQLError)];
        }
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: format(result.errors) } : undefined),
      onError: (_ctx, _id, _payload, errors) => format(errors),
    },
    wsServer,
  );
}
