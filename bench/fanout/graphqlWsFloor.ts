import { type DocumentNode, GraphQLError, buildSchema, parse, validate } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { FromFloor, ToFloor } from './protocol';

/** The API's subscription field with nothing behind it: what stock graphql-ws costs per subscription. */
const schema = buildSchema(`
  scalar LocalDate
  type DateAvailability { id: ID!  date: String!  remaining: Int!  status: String!  version: Int! }
  type AvailabilityUpdate { cursor: String!  reset: Boolean!  dates: [DateAvailability!]! }
  type AvailabilityChanged { date: String!  remaining: Int!  status: String!  version: Int! }
  type Query { ok: Boolean }
  type Subscription {
    availabilityUpdates(resourceId: ID!, from: LocalDate!, to: LocalDate!, after: String): AvailabilityUpdate!
    availabilityChanged(resourceId: ID!, from: LocalDate!, to: LocalDate!): AvailabilityChanged!
  }
`);

/** One subscriber's events: an async iterator fed by `push`, the textbook pub/sub a graphql-ws server uses. */
class Events implements AsyncIterableIterator<unknown> {
  private waiting: ((result: IteratorResult<unknown>) => void) | undefined;
  private readonly queue: unknown[] = [];

  constructor(private readonly onEnd: (events: Events) => void) {}

  push(event: unknown): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting({ value: event, done: false });
    else this.queue.push(event);
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift(), done: false });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<unknown>> {
    this.onEnd(this);
    this.waiting?.({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * The graphql-ws reference: stock `useServer` from graphql-ws on `ws` (documents cached), the API's
 * subscription field on a schema with no data behind it, alone in its process. Told to write, it hands one event
 * to every subscription, and graphql-ws executes and sends it per subscriber as it does for any
 * server built on it. Its memory per subscriber is what graphql-ws itself keeps per subscription,
 * with none of the API's work (auth, limits, ranges, history) on top.
 */
export function runGraphqlWsFloor(): void {
  const send = (message: FromFloor) => process.send!(message);
  const subscriptions = new Set<Events>();
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  const event = (key: string) => {
    const date = { id: key, date: key, remaining: 0, status: 'HELD', version: 1 };
    return { availabilityUpdates: { cursor: key, reset: false, dates: [date] }, availabilityChanged: date };
  };
  const roots = {
    availabilityUpdates: { subscribe: () => add(), resolve: (e: ReturnType<typeof event>) => e.availabilityUpdates },
    availabilityChanged: { subscribe: () => add(), resolve: (e: ReturnType<typeof event>) => e.availabilityChanged },
  };
  const add = () => {
    const events = new Events((ended) => subscriptions.delete(ended));
    subscriptions.add(events);
    return events;
  };
  const fields = schema.getSubscriptionType()!.getFields();
  for (const [name, root] of Object.entries(roots)) Object.assign(fields[name], root);
  // Documents parsed and validated once, as any server on graphql-ws should (graphql-ws's recipe for
  // `onSubscribe`); without it each subscription keeps its own syntax tree, about twice the memory.
  const documents = new Map<string, DocumentNode>();
  useServer(
    {
      schema,
      onSubscribe: (_ctx, _id, payload) => {
        let document = documents.get(payload.query);
        if (!document) {
          document = parse(payload.query);
          const errors = validate(schema, document);
          if (errors.length > 0) return errors as GraphQLError[];
          documents.set(payload.query, document);
        }
        return { schema, document, variableValues: payload.variables, operationName: payload.operationName };
      },
    },
    server,
  );
  server.on('listening', () => {
    const address = server.address();
    send({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
  });
  process.on('message', (message: ToFloor) => {
    const startedAt = Date.now();
    const shared = event(message.key);
    for (const events of subscriptions) events.push(shared);
    send({ type: 'written', key: message.key, startedAt, sockets: subscriptions.size });
  });
  process.on('disconnect', () => {
    for (const socket of server.clients) socket.terminate();
    server.close();
  });
}
