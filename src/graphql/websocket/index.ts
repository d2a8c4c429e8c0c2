import type { Server } from 'node:http';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { DomainError } from '../../errors';
import type { Logger } from '../../logger';
import type { OperationObserver } from '../../metrics';
import { asGraphQLError } from '../errors';
import type { OperationPipeline } from '../pipeline';
import { connectionLimits } from './connections';
import { sharedExecution } from './execution';
import type { WebSocketLimits } from './limits';
import { inScope, operationHooks, operationRegistry } from './operations';
import type { ConnectionParams, ConnectionState } from './state';

export { CLOSE_TOO_MANY_CONNECTIONS, DEFAULT_WEBSOCKET_LIMITS, type WebSocketLimits } from './limits';
export { FRAGMENT_AT } from './push';

export interface WebSocketOptions {
  server: Server;
  path: string;
  pipeline: OperationPipeline;
  logger: Logger;
  limits: WebSocketLimits;
  /** Metrics: each operation, and accepted connections opening and closing. */
  observe?: { operations: OperationObserver; opened(): void; closed(): void };
}

/**
 * graphql-ws keeps each operation's `subscribe` message while it runs; its query text, when it is
 * a cached document's (10,000 calendars send the same few), is swapped for that document's own
 * copy, so the text is kept once, not once per subscription.
 */
function shareQueryText(payload: { query: string }, prepared: ExecutionArgs | readonly GraphQLError[]): void {
  const body = 'document' in prepared ? prepared.document.loc?.source.body : undefined;
  if (body === payload.query) payload.query = body;
}

/**
 * GraphQL over WebSocket (graphql-ws) through the one pipeline: every operation is prepared by
 * `pipeline.prepareOperation`, as HTTP's are by the same steps (the token limit, validation rules,
 * the caller, the per-user mutation rate limit), and its errors masked by the same `formatError`.
 * What is left here is the WebSocket's own: connections and their limits, the request ids and
 * timing of a connection's operations, and results shared and pushed to many sockets. Queries,
 * mutations and subscriptions are all accepted, so a client may use one connection for everything
 * and meet the same answers it would over HTTP.
 */
export function serveGraphQLOverWebSocket(options: WebSocketOptions): Disposable {
  const { pipeline, limits } = options;
  const wsServer = new WebSocketServer({ server: options.server, path: options.path, maxPayload: limits.maxMessageBytes });
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => pipeline.formatError(e.toJSON(), e));
  const operations = operationRegistry(wsServer, options.observe?.operations);
  return useServer<ConnectionParams, ConnectionState>(
    {
      schema: pipeline.schema,
      ...sharedExecution({ executing: operations.executing, outletOf: operations.outletOf, format }),
      ...connectionLimits(options),
      onSubscribe: (ctx, id, payload) => {
        const operation = operations.begin(ctx, id);
        return inScope(operation, async () => {
          try {
            // This operation is already counted in ctx.subscriptions.
            if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerConnection) {
              throw new DomainError(
                'TOO_MANY_SUBSCRIPTIONS',
                `At most ${limits.maxSubscriptionsPerConnection} operations at once per connection`,
              );
            }
            const prepared = await pipeline.prepareOperation(payload, { connection: ctx.extra.caller }, (definition, contextValue) =>
              operations.resolve(operation, definition, contextValue),
            );
            shareQueryText(payload, prepared);
            return prepared;
          } catch (error) {
            const known = asGraphQLError(error);
            return [known === error ? new GraphQLError('unexpected', { originalError: error as Error }) : (known as GraphQLError)];
          }
        });
      },
      ...operationHooks(format),
    },
    wsServer,
  );
}
