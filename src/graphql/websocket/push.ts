import type { ExecutionResult } from 'graphql';
import { WebSocket } from 'ws';

/**
 * A source stream that can push its events to a sink instead of being pulled: the fan-out's
 * subscriptions can. The sink answers false while busy; the stream then keeps the event (coalesced)
 * until `drain()` is called. `next()` settles only when the stream ends.
 */
export interface PushableStream extends AsyncGenerator<unknown, unknown, unknown> {
  attach(sink: (event: object) => boolean): void;
  drain(): void;
}

export const isPushable = (stream: object): stream is PushableStream =>
  typeof (stream as Partial<PushableStream>).attach === 'function' && typeof (stream as Partial<PushableStream>).drain === 'function';

/** Where one operation's messages go: its connection, and the id the client gave the operation. */
export interface Outlet {
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
export function pushTo(
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
