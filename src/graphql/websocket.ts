import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import {
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  execute,
  getOperationAST,
  type OperationDefinitionNode,
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
import type { OperationObservation, OperationObserver } from '../metrics';
import { isSaneId, REQUEST_ID_HEADER, type RequestScope, requestIdFrom, runInRequest } from '../requestContext';
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
  /** Metrics: each operation, and accepted connections opening and closing. */
  observe?: { operations: OperationObserver; opened(): void; closed(): void };
}

/** One operation on a connection: its request scope (id `<connection id>:<operation id>`) and its timing. */
interface WsOperation {
  scope: RequestScope;
  observation?: OperationObservation;
}

type Extra = {
  caller?: Context['caller'];
  connectionKey?: string;
  /** The connection's operations in flight, by the client's operation id. */
  operations?: Map<string, WsOperation>;
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

  // Each connection's id: a sane `x-request-id` on the upgrade request, else a new one; answered in
  // the upgrade's headers and the prefix of its operations' request ids.
  const connectionIds = new WeakMap<IncomingMessage, string>();
  wsServer.on('headers', (headers, request) => {
    const id = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
    connectionIds.set(request, id);
    headers.push(`${REQUEST_ID_HEADER}: ${id}`);
  });
  /** By context value: graphql-ws hands `execute` and `subscribe` only the execution arguments. */
  const byContext = new WeakMap<object, WsOperation>();
  const inScope = <T>(operation: WsOperation | undefined, work: () => T): T => (operation ? runInRequest(operation.scope, work) : work());
  const executing = <T>(args: ExecutionArgs, work: () => T): T => inScope(byContext.get(args.contextValue as object), work);

  function begin(extra: Extra & { request: IncomingMessage }, id: string): WsOperation {
    const connectionId = connectionIds.get(extra.request) ?? randomUUID();
    const scope = { requestId: `${connectionId}:${isSaneId(id) && id.length <= 64 ? id : randomUUID()}`, startedAt: performance.now() };
    const operation = { scope, observation: options.observe?.operations.begin('ws', scope) };
    (extra.operations ??= new Map()).set(id, operation);
    return operation;
  }

  function prepare(
    caller: Context['caller'],
    payload: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null },
    resolved: (operation: OperationDefinitionNode, contextValue: Context) => void,
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
    const contextValue: Context = { caller, services: options.services };
    resolved(operation, contextValue);
    if (operation.operation === 'mutation' && caller) pipeline.rateLimiter.countMutation(caller.id);
    return { schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue };
  }

  return useServer<{ authorization?: unknown }, Extra>(
    {
      schema,
      execute: (args) => executing(args, async () => markRequestErrors(await execute(args))),
      subscribe: (args) =>
        executing(args, async () => {
          const result = await subscribe(args);
          return Symbol.asyncIterator in result ? result : markRequestErrors(result);
        }),
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
        options.observe?.opened();
        return true;
      },
      onClose: (ctx) => {
        const key = ctx.extra.connectionKey;
        if (!key) return;
        options.observe?.closed();
        const left = (connections.get(key) ?? 1) - 1;
        if (left > 0) connections.set(key, left);
        else connections.delete(key);
      },
      onSubscribe: (ctx, id, payload) => {
        const operation = begin(ctx.extra, id);
        return inScope(operation, () => {
          try {
            // This operation is already counted in ctx.subscriptions.
            if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerConnection) {
              throw new DomainError(
                'TOO_MANY_SUBSCRIPTIONS',
                `At most ${limits.maxSubscriptionsPerConnection} operations at once per connection`,
              );
            }
            return prepare(ctx.extra.caller, payload, (definition, contextValue) => {
              operation.observation?.resolved(definition, contextValue);
              byContext.set(contextValue, operation);
            });
          } catch (error) {
            const known = asGraphQLError(error);
            return [known === error ? new GraphQLError('unexpected', { originalError: error as Error }) : (known as GraphQLError)];
          }
        });
      },
      // A subscription is timed until it is set up; a query or mutation until its result.
      onOperation: (ctx, id, _payload, _args, result) => {
        if (Symbol.asyncIterator in result) ctx.extra.operations?.get(id)?.observation?.finish();
      },
      onNext: (ctx, id, _payload, _args, result) => {
        const operation = ctx.extra.operations?.get(id);
        const errors = result.errors && inScope(operation, () => format(result.errors!));
        operation?.observation?.finish(errors);
        return errors ? { ...result, errors } : undefined;
      },
      onError: (ctx, id, _payload, errors) => {
        const operation = ctx.extra.operations?.get(id);
        ctx.extra.operations?.delete(id);
        const formatted = inScope(operation, () => format(errors));
        operation?.observation?.finish(formatted);
        return formatted;
      },
      onComplete: (ctx, id) => {
        ctx.extra.operations?.delete(id);
      },
    },
    wsServer,
  );
}
