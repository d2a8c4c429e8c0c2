import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import {
  type ASTNode,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  Kind,
  createSourceEventStream,
  execute,
  getOperationAST,
  visit,
} from 'graphql';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { DomainError } from '../errors';
import type { Logger } from '../logger';
import type { OperationObservation, OperationObserver } from '../metrics';
import { isSaneId, REQUEST_ID_HEADER, type RequestScope, requestIdFrom, runInRequest } from '../requestContext';
import type { UserView } from '../users';
import { asGraphQLError } from './errors';
import { type OperationPipeline, withCode } from './pipeline';

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
  pipeline: OperationPipeline;
  logger: Logger;
  limits: WebSocketLimits;
  /** Metrics: each operation, and accepted connections opening and closing. */
  observe?: { operations: OperationObserver; opened(): void; closed(): void };
}

/** One operation on a connection: its request scope (id `<connection id>:<operation id>`) and its timing. */
interface WsOperation {
  scope: RequestScope;
  observation?: OperationObservation;
}

type Extra = {
  /** As read when the connection opened; a mutation reads it again (the pipeline's admission). */
  caller?: UserView;
  connectionKey?: string;
  /** The connection's operations in flight, by the client's operation id. */
  operations?: Map<string, WsOperation>;
};

/**
 * Subscription fields whose event results depend on nothing but the event and the client's selection:
 * not on the caller, not on the field's arguments (those only pick the events, in `subscribe`). For
 * these, one execution per event and per selection serves every subscriber; any other field is
 * executed per subscriber, as graphql-js does.
 */
const SHARED_EVENT_FIELDS = new Set(['availabilityChanged']);

/**
 * What an event's result depends on for a subscription to a shared field: the document, the operation
 * and the variables used in the selection (e.g. `@include(if: $x)`), not those only the root field's
 * arguments use. Undefined (no sharing) for any other operation.
 */
function sharedSelectionKey({ document, operationName, variableValues }: ExecutionArgs): string | undefined {
  const operation = getOperationAST(document, operationName);
  const source = document.loc?.source.body;
  const [root, ...rest] = operation?.selectionSet.selections ?? [];
  if (!operation || source === undefined || rest.length > 0 || root?.kind !== Kind.FIELD || !SHARED_EVENT_FIELDS.has(root.name.value)) {
    return undefined;
  }
  const used = new Set<string>();
  const collect = (node: ASTNode) => visit(node, { Variable: (variable) => void used.add(variable.name.value) });
  for (const node of [...(operation.directives ?? []), ...(root.directives ?? []), ...(root.selectionSet ? [root.selectionSet] : [])])
    collect(node);
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) collect(definition);
  const values = variableValues ?? {};
  // [value] when given, [] when absent: a missing variable (its default applies) differs from an explicit null.
  const picked = [...used].sort().map((name) => (Object.hasOwn(values, name) ? [values[name]] : []));
  return JSON.stringify([source, operationName ?? null, picked]);
}

/**
 * The subscription's event stream mapped to results, like graphql-js's `subscribe`, except that with
 * a selection key the result for one event object is computed once and shared by every subscriber
 * with that key (the fan-out hands all of them the same event object).
 */
function sharedResults(
  source: AsyncGenerator<unknown, unknown, unknown>,
  args: ExecutionArgs,
  key: string | undefined,
  cache: WeakMap<object, Map<string, ReturnType<typeof execute>>>,
): AsyncGenerator<ExecutionResult, void, void> {
  const resultFor = (event: unknown) => {
    if (key === undefined || typeof event !== 'object' || event === null) return execute({ ...args, rootValue: event });
    let byKey = cache.get(event);
    if (!byKey) cache.set(event, (byKey = new Map()));
    let result = byKey.get(key);
    if (!result) byKey.set(key, (result = execute({ ...args, rootValue: event })));
    return result;
  };
  const mapped: AsyncGenerator<ExecutionResult, void, void> = {
    async next() {
      const item = await source.next();
      if (item.done) return { done: true, value: undefined };
      try {
        return { done: false, value: await resultFor(item.value) };
      } catch (error) {
        await source.return(undefined);
        throw error;
      }
    },
    async return() {
      await source.return(undefined);
      return { done: true, value: undefined };
    },
    async throw(error) {
      await source.return(undefined);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return mapped;
}

/**
 * A source stream that can push its events to a sink instead of being pulled: the fan-out's
 * subscriptions can. The sink answers false while busy; the stream then keeps the event (coalesced)
 * until `drain()` is called. `next()` settles only when the stream ends.
 */
interface PushableStream extends AsyncGenerator<unknown, unknown, unknown> {
  attach(sink: (event: object) => boolean): void;
  drain(): void;
}

const isPushable = (stream: object): stream is PushableStream =>
  typeof (stream as Partial<PushableStream>).attach === 'function' && typeof (stream as Partial<PushableStream>).drain === 'function';

/** Where one operation's messages go: its connection, and the id the client gave the operation. */
interface Outlet {
  socket: WebSocket;
  id: string;
  /** graphql-ws's own record of the connection's operations: an id leaves it when the client completes it. */
  ctx: { subscriptions: Record<string, unknown> };
}

/**
 * Push mode for a subscription of the fan-out: each change is written to the socket from the
 * fan-out's loop as the `next` message graphql-ws would send (the same bytes: the id, then the
 * payload serialised once per change and selection), without graphql-ws's promise chain per event.
 * One write at a time per subscription, as graphql-ws awaits each send: while one is in flight,
 * changes wait in the subscription, coalesced per date, and follow when the write completes. The
 * end and errors still go through graphql-ws (`next()` settles when the subscription ends).
 */
function pushTo(
  stream: PushableStream,
  { socket, id, ctx }: Outlet,
  payloadOf: (event: object) => string | Promise<string>,
): AsyncGenerator<ExecutionResult, void, void> {
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  let busy = false;
  const written = () => {
    busy = false;
    stream.drain();
  };
  const write = (payload: string) => {
    if (socket.readyState === WebSocket.OPEN && id in ctx.subscriptions) socket.send(prefix + payload + '}', written);
    else busy = false;
  };
  stream.attach((event) => {
    if (busy) return false;
    // Gone (closed, or completed by the client): nothing to send, as graphql-ws would not.
    if (socket.readyState !== WebSocket.OPEN || !(id in ctx.subscriptions)) return true;
    busy = true;
    try {
      const payload = payloadOf(event);
      if (typeof payload === 'string') write(payload);
      else payload.then(write, written);
    } catch {
      busy = false;
    }
    return true;
  });
  return stream as unknown as AsyncGenerator<ExecutionResult, void, void>;
}

/** Errors before execution (variables that do not coerce, no operation) are the client's, as Apollo treats them. */
function markRequestErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors || result.data !== undefined) return result;
  return { ...result, errors: result.errors.map((e) => (e.path || e.extensions?.code ? e : withCode(e, 'BAD_USER_INPUT'))) };
}

/**
 * GraphQL over WebSocket (graphql-ws) through the one pipeline: every operation is prepared by
 * `pipeline.prepareOperation`, as HTTP's are by the same steps (the token limit, validation rules,
 * the caller, the per-user mutation rate limit), and its errors masked by the same `formatError`.
 * Queries, mutations and subscriptions are all accepted, so a client may use one connection for
 * everything and meet the same answers it would over HTTP.
 */
export function serveGraphQLOverWebSocket(options: WebSocketOptions): Disposable {
  const { pipeline, logger, limits } = options;
  const wsServer = new WebSocketServer({ server: options.server, path: options.path, maxPayload: limits.maxMessageBytes });
  const connections = new Map<string, number>();
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => pipeline.formatError(e.toJSON(), e));
  /** Per event object: its result per selection key, computed for the first subscriber that needs it. */
  const sharedEventResults = new WeakMap<object, Map<string, ReturnType<typeof execute>>>();
  /** The same, as the serialised `payload` of a `next` message (push mode). */
  const sharedPayloads = new WeakMap<object, Map<string, string | Promise<string>>>();
  /** Each prepared operation's outlet, by its contextValue (one object per operation). */
  const outlets = new WeakMap<object, Outlet>();
  /** What graphql-ws would send as `payload`: the result, with errors through the pipeline's masking (as onNext does). */
  const payloadJson = (result: ExecutionResult) => JSON.stringify(result.errors ? { ...result, errors: format(result.errors) } : result);

  function payloadFor(event: object, key: string, args: ExecutionArgs): string | Promise<string> {
    let byKey = sharedPayloads.get(event);
    if (!byKey) sharedPayloads.set(event, (byKey = new Map()));
    let payload = byKey.get(key);
    if (payload === undefined) {
      // Once per change and selection, in the request scope of the subscriber that needed it first (for logs).
      payload = executing(args, () => {
        const result = execute({ ...args, rootValue: event });
        return 'then' in result ? result.then(payloadJson) : payloadJson(result);
      });
      byKey.set(key, payload);
    }
    return payload;
  }

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

  return useServer<{ authorization?: unknown }, Extra>(
    {
      schema: pipeline.schema,
      execute: (args) => executing(args, async () => markRequestErrors(await execute(args))),
      subscribe: (args) =>
        executing(args, async () => {
          // graphql-js's `subscribe` minus the execution per subscriber: the same checks, the same resolver.
          const stream = await createSourceEventStream(args);
          if (!(Symbol.asyncIterator in stream)) return markRequestErrors(stream);
          const key = sharedSelectionKey(args);
          const outlet = outlets.get(args.contextValue as object);
          if (key !== undefined && outlet && isPushable(stream)) {
            return pushTo(stream, outlet, (event) => payloadFor(event, key, args));
          }
          return sharedResults(stream as AsyncGenerator<unknown, unknown, unknown>, args, key, sharedEventResults);
        }),
      onConnect: async (ctx) => {
        try {
          ctx.extra.caller = await pipeline.recognise(ctx.connectionParams?.authorization);
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
        return inScope(operation, async () => {
          try {
            // This operation is already counted in ctx.subscriptions.
            if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerConnection) {
              throw new DomainError(
                'TOO_MANY_SUBSCRIPTIONS',
                `At most ${limits.maxSubscriptionsPerConnection} operations at once per connection`,
              );
            }
            return await pipeline.prepareOperation(payload, { connection: ctx.extra.caller }, (definition, contextValue) => {
              operation.observation?.resolved(definition, contextValue);
              byContext.set(contextValue, operation);
              outlets.set(contextValue, { socket: ctx.extra.socket, id, ctx });
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
