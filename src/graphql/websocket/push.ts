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

/**
 * One change's serialised result, shared by every subscriber with the same selection. From
 * `FRAGMENT_AT` characters on (a reset of a long range: 366 dates are about 40 KB) it is sent as a
 * fragmented message around ONE shared Buffer of it: a socket that cannot take the message at once
 * then keeps a reference to that Buffer in its queue, not a copy of its own, so 10,000 calendars
 * opening at once cost one copy of their first message, not 10,000.
 */
export interface SharedPayload {
  json: string;
  bytes?: Buffer;
}

export const FRAGMENT_AT = 16 * 1024;
const CLOSING_BRACE = Buffer.from('}');

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
  payloadOf: (event: object) => SharedPayload | Promise<SharedPayload>,
): AsyncGenerator<ExecutionResult, void, void> {
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  let busy = false;
  const written = () => {
    busy = false;
    stream.drain();
  };
  const write = (payload: SharedPayload) => {
    if (socket.readyState !== WebSocket.OPEN || !(id in ctx.subscriptions)) {
      busy = false;
    } else if (payload.json.length < FRAGMENT_AT) {
      socket.send(prefix + payload.json + '}', written);
    } else {
      // One text message in three frames; nothing can come between them (same tick, one sender queue).
      payload.bytes ??= Buffer.from(payload.json);
      socket.send(Buffer.from(prefix), { binary: false, fin: false });
      socket.send(payload.bytes, { fin: false });
      socket.send(CLOSING_BRACE, { fin: true }, written);
    }
  };
  stream.attach((event) => {
    if (busy) return false;
    // Gone (closed, or completed by the client): nothing to send, as graphql-ws would not.
    if (socket.readyState !== WebSocket.OPEN || !(id in ctx.subscriptions)) return true;
    busy = true;
    try {
      const payload = payloadOf(event);
      if ('then' in payload) payload.then(write, written);
      else write(payload);
    } catch {
      busy = false;
    }
    return true;
  });
  return stream as unknown as AsyncGenerator<ExecutionResult, void, void>;
}
