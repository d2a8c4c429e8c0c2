import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ExecutionArgs, GraphQLError, GraphQLFormattedError, OperationDefinitionNode } from 'graphql';
import type { WebSocket, WebSocketServer } from 'ws';
import type { OperationObserver } from '../../metrics';
import { isSaneId, REQUEST_ID_HEADER, requestIdFrom, runInRequest } from '../../requestContext';
import type { Context } from '../context';
import type { Outlet } from './push';
import type { WsOperation, WsServerOptions } from './state';

type WsContext = Parameters<NonNullable<WsServerOptions['onSubscribe']>>[0];
export type FormatErrors = (errors: readonly GraphQLError[]) => GraphQLFormattedError[];

/** Runs `work` in the operation's request scope, so its log lines and errors carry its request id. */
export const inScope = <T>(operation: WsOperation | undefined, work: () => T): T =>
  operation ? runInRequest(operation.scope, work) : work();

/** The operations of every connection: their request ids and timing, and the outlet of each by its context value. */
export function operationRegistry(wsServer: WebSocketServer, observer: OperationObserver | undefined) {
  // Each connection's id: a sane `x-request-id` on the upgrade request, else a new one; answered in
  // the upgrade's headers and the prefix of its operations' request ids.
  // Kept by socket, not by upgrade request: the request is let go once the connection is accepted (connections.ts).
  const upgradeIds = new WeakMap<IncomingMessage, string>();
  const connectionIds = new WeakMap<WebSocket, string>();
  wsServer.on('headers', (headers, request) => {
    const id = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
    upgradeIds.set(request, id);
    headers.push(`${REQUEST_ID_HEADER}: ${id}`);
  });
  wsServer.on('connection', (socket, request) => {
    const id = upgradeIds.get(request);
    if (id !== undefined) connectionIds.set(socket, id);
  });
  /** By context value: graphql-ws hands `execute` and `subscribe` only the execution arguments. */
  const byContext = new WeakMap<object, WsOperation>();
  return {
    begin(ctx: WsContext, id: string): WsOperation {
      const connectionId = connectionIds.get(ctx.extra.socket) ?? randomUUID();
      // Joined, so one flat string: a `+` concatenation kept for the subscription's life stays a chain of pieces.
      const requestId = [connectionId, isSaneId(id) && id.length <= 64 ? id : randomUUID()].join(':');
      const scope = { requestId, startedAt: performance.now() };
      const operation = { scope, observation: observer?.begin('ws', scope), outlet: { socket: ctx.extra.socket, id, ctx } };
      (ctx.extra.operations ??= new Map()).set(id, operation);
      return operation;
    },
    resolve(operation: WsOperation, definition: OperationDefinitionNode, contextValue: Context): void {
      operation.observation?.resolved(definition, contextValue);
      byContext.set(contextValue, operation);
    },
    executing: <T>(args: ExecutionArgs, work: () => T): T => inScope(byContext.get(args.contextValue as object), work),
    outletOf: (args: ExecutionArgs): Outlet | undefined => byContext.get(args.contextValue as object)?.outlet,
  };
}

/** graphql-ws's hooks after an operation started: its errors masked in its scope, its timing finished, its record dropped. */
export function operationHooks(format: FormatErrors): Pick<WsServerOptions, 'onOperation' | 'onNext' | 'onError' | 'onComplete'> {
  return {
    // A subscription is timed until it is set up; a query or mutation until its result.
    onOperation: (ctx, id, _payload, _args, result) => {
      const operation = ctx.extra.operations?.get(id);
      if (!operation || !(Symbol.asyncIterator in result)) return;
      operation.observation?.finish();
      // Finished: nothing of the observation is needed while the subscription lives.
      operation.observation = undefined;
    },
    // Errors masked; a replayed mutation (its idempotency key's stored result) says so in `extensions`, as over HTTP.
    onNext: (ctx, id, _payload, _args, result) => {
      const operation = ctx.extra.operations?.get(id);
      const { errors: raw } = result;
      const errors = raw && inScope(operation, () => format(raw));
      operation?.observation?.finish(errors);
      const replayed = operation?.scope.idempotentReplayed === true;
      if (!errors && !replayed) return undefined;
      return { ...result, ...(errors && { errors }), ...(replayed && { extensions: { ...result.extensions, idempotentReplayed: true } }) };
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
  };
}
