import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, createClient } from 'graphql-ws';
import type { Db } from 'mongodb';
import WebSocket from 'ws';
import type { DateAvailability } from '../../src/availability';
import type { DateSlotDoc } from '../../src/capacity';
import type { TestApp } from './app';

export const AVAILABILITY_CHANGED = `subscription($resourceId: ID!, $from: LocalDate!, $to: LocalDate!) {
  availabilityChanged(resourceId: $resourceId, from: $from, to: $to) { date remaining status version }
}`;

export interface Received extends DateAvailability {
  /** Date.now() when the client got it. */
  receivedAt: number;
}

export interface GraphQLWsError {
  message: string;
  extensions?: { code?: string };
}

/**
 * A real graphql-ws client (the `ws` package underneath) on the app's /graphql, with no retries.
 * Lazy by default (connects for the first operation, closes after the last); `lazy: false` keeps
 * one connection open until `dispose()`.
 */
export function wsClient(app: Pick<TestApp, 'url'>, token?: string, { lazy = true } = {}): Client & { closed: Promise<{ code: number }> } {
  let closed!: (event: { code: number }) => void;
  const closedPromise = new Promise<{ code: number }>((resolve) => (closed = resolve));
  const client = createClient({
    url: `${app.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy,
    // Tests assert on close codes themselves; graphql-ws would also print every refused connection.
    onNonLazyError: () => {},
    on: { closed: (event) => closed({ code: (event as { code: number }).code }) },
  });
  return Object.assign(client, { closed: closedPromise });
}

/** One query or mutation over graphql-ws, answered as `{ data, errors }` like an HTTP response body. */
export function wsRequest<T = any>(client: Client, query: string, variables?: Record<string, unknown>) {
  return new Promise<{ data?: T; errors?: GraphQLWsError[] }>((resolve) => {
    let answer: { data?: T; errors?: GraphQLWsError[] } = {};
    client.subscribe<T>(
      { query, variables },
      {
        next: (result) => (answer = result as typeof answer),
        error: (error) => resolve({ errors: Array.isArray(error) ? (error as GraphQLWsError[]) : [{ message: String(error) }] }),
        complete: () => resolve(answer),
      },
    );
  });
}

/**
 * Subscribes and records every event with its arrival time. `ended` settles when the server ends
 * the subscription: with the errors it sent, or with [] on a plain completion.
 */
export function subscribeAvailability(client: Client, variables: { resourceId: string; from: string; to: string }) {
  const events: Received[] = [];
  let finish!: (errors: GraphQLWsError[]) => void;
  const ended = new Promise<GraphQLWsError[]>((resolve) => (finish = resolve));
  let errors: GraphQLWsError[] = [];
  const unsubscribe = client.subscribe<{ availabilityChanged: DateAvailability }>(
    { query: AVAILABILITY_CHANGED, variables },
    {
      next: (result) => {
        if (result.errors) errors = [...errors, ...(result.errors as GraphQLWsError[])];
        if (result.data) events.push({ ...result.data.availabilityChanged, receivedAt: Date.now() });
      },
      error: (error) => {
        finish(Array.isArray(error) ? (error as GraphQLWsError[]) : [{ message: String((error as Error).message ?? error) }]);
      },
      complete: () => finish(errors),
    },
  );
  return {
    events,
    ended,
    unsubscribe,
    /** Resolves with the first event matching `match`, failing after `timeoutMs`. */
    async waitFor(match: (event: Received) => boolean, timeoutMs = 10_000): Promise<Received> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`);
        await sleep(5);
      }
    },
  };
}

/** Newest event per date, the way a client merges by version. */
export function latestByDate(events: DateAvailability[]): Map<string, DateAvailability> {
  const latest = new Map<string, DateAvailability>();
  for (const event of events) {
    const known = latest.get(event.date);
    if (!known || event.version > known.version) latest.set(event.date, event);
  }
  return latest;
}

/** Polls `condition` until it holds, failing with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(5);
  }
}

/** Waits until the app has registered `count` subscribers, so nothing a test writes next is missed. */
export function waitForSubscribers(app: Pick<TestApp, 'app'>, count: number): Promise<void> {
  return until(() => app.app.services.live.subscriberCount() >= count, `${count} subscribers are registered`);
}

/**
 * When each slot change was committed, from the server's own clock: the `wallTime` of its change
 * event (MongoDB 6.0+), keyed by `date@version`. Latency measured from here is commit-to-delivery,
 * not request-to-delivery.
 */
export async function watchCommitTimes(db: Db) {
  const commits = new Map<string, number>();
  const { operationTime } = await db.command({ ping: 1 });
  const stream = db
    .collection<DateSlotDoc>('dateSlots')
    .watch([], { fullDocument: 'updateLookup', startAtOperationTime: operationTime, maxAwaitTimeMS: 100 });
  let running = true;
  const loop = (async () => {
    while (running && !stream.closed) {
      const change = await stream.tryNext().catch(() => null);
      if (!change || !('fullDocument' in change) || !change.fullDocument) continue;
      const wallTime = (change as { wallTime?: Date }).wallTime;
      if (!wallTime) throw new Error('change events carry no wallTime (MongoDB < 6.0?)');
      const key = `${change.fullDocument.date}@${change.fullDocument.version}`;
      if (!commits.has(key)) commits.set(key, wallTime.getTime());
    }
  })();
  return {
    commitTime: (date: string, version: number) => commits.get(`${date}@${version}`),
    /** Waits for the commit time of `date@version` (the watcher may lag the subscriber slightly). */
    async waitForCommitTime(date: string, version: number): Promise<number> {
      await until(() => commits.has(`${date}@${version}`), `the commit of ${date}@${version} is seen`);
      return commits.get(`${date}@${version}`)!;
    },
    async stop() {
      running = false;
      await stream.close();
      await loop;
    },
  };
}

export const AVAILABILITY_UPDATES = `subscription($resourceId: ID!, $from: LocalDate!, $to: LocalDate!, $after: String) {
  availabilityUpdates(resourceId: $resourceId, from: $from, to: $to, after: $after) {
    cursor reset dates { id resourceId date remaining status version }
  }
}`;

export const ACCOUNT_UPDATES = `subscription($accountId: ID!, $after: String) {
  accountUpdates(accountId: $accountId, after: $after) {
    cursor reset account { id balance reserved available version } entries { id kind amount balanceAfter transferId }
  }
}`;

/** Any subscription's messages (the root field's value), in arrival order; `ended` settles with the errors that ended it. */
export function subscribeTo<T>(client: Client, query: string, variables: Record<string, unknown>) {
  const messages: T[] = [];
  let finish!: (errors: GraphQLWsError[]) => void;
  const ended = new Promise<GraphQLWsError[]>((resolve) => (finish = resolve));
  let errors: GraphQLWsError[] = [];
  const unsubscribe = client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors = [...errors, ...(result.errors as GraphQLWsError[])];
        if (result.data) messages.push(Object.values(result.data)[0]);
      },
      error: (error) =>
        finish(Array.isArray(error) ? (error as GraphQLWsError[]) : [{ message: String((error as Error).message ?? error) }]),
      complete: () => finish(errors),
    },
  );
  return {
    messages,
    ended,
    unsubscribe,
    /** Resolves once `count` messages arrived, failing after `timeoutMs`. */
    async waitForCount(count: number, timeoutMs = 10_000): Promise<T[]> {
      await until(() => messages.length >= count, `${count} messages arrived (got ${messages.length})`, timeoutMs);
      return messages.slice(0, count);
    },
  };
}
