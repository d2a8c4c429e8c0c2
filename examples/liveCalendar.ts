/**
 * A live calendar: one resource's dates over a range, kept current by the `availabilityUpdates`
 * subscription over graphql-ws, in a Map keyed by `DateAvailability.id` (`<resourceId>:<date>`).
 *
 * The first message is the range's state (`reset: true`): it replaces the map. Every later one is
 * ONE committed transaction's dates, applied together, so a listener never sees half a hold. The
 * last message's cursor is kept: when the connection drops, graphql-ws reconnects (`retryAttempts`,
 * `retryWait`) and the calendar subscribes again with `after: cursor`, so the server first sends
 * the transactions it missed, in order, and nothing is refetched. A cursor the server can no longer
 * reach back to is answered with one reset instead, applied like the first.
 *
 *   API_URL=http://localhost:4000/graphql TOKEN=$(npm run -s token -- alice) RESOURCE_ID=<id> npx tsx examples/liveCalendar.ts
 *
 * Optional: FROM and TO (YYYY-MM-DD, default: today and 30 days on), AFTER (a cursor it printed when
 * stopped, to go on from there). Ctrl-C stops it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type Api, apiFromEnv, isMain, trustedPayload } from './client';
import { graphql } from './gql';
import type { LiveCalendarUpdatesSubscription } from './gql/graphql';

const LiveCalendarUpdatesDocument = graphql(`
  subscription LiveCalendarUpdates($resourceId: ID!, $from: LocalDate!, $to: LocalDate!, $after: String) {
    availabilityUpdates(resourceId: $resourceId, from: $from, to: $to, after: $after) {
      cursor
      reset
      dates {
        id
        resourceId
        date
        remaining
        status
        version
      }
    }
  }
`);

export type CalendarUpdate = LiveCalendarUpdatesSubscription['availabilityUpdates'];
export type CalendarDate = CalendarUpdate['dates'][number];

export interface LiveCalendarOptions {
  /** `endpoint` is the HTTP one (`http://host:port/graphql`); the WebSocket is on the same path. */
  api: Api;
  resourceId: string;
  /** The inclusive range, YYYY-MM-DD, at most 366 days. */
  from: string;
  to: string;
  /** A cursor from an earlier run: the first messages are then what was committed since, not a reset. */
  after?: string;
  /** Reconnections in a row before giving up (default: never give up). */
  retryAttempts?: number;
  /** The wait before the n-th reconnection in a row (default: 1 s doubling to 30 s, with jitter). */
  retryWait?: (retries: number) => Promise<void>;
  /** A failure that ended the subscription after `start()` resolved (default: console.error). */
  onError?: (error: Error) => void;
}

export interface LiveCalendar {
  /**
   * Connects and subscribes. Resolves once the calendar holds the range's state: at the first
   * reset, or, resuming from a cursor, once connected (what was missed follows, in order). Rejects
   * when the subscription is refused (`BAD_USER_INPUT`, `UNAUTHENTICATED`, …).
   */
  start(): Promise<void>;
  /** Unsubscribes and closes the connection; `cursor()` still tells where to resume. */
  stop(): Promise<void>;
  /** The dates as last told, by `DateAvailability.id`. */
  current(): ReadonlyMap<string, CalendarDate>;
  /** The last message's cursor, to pass as `after` to a later calendar. */
  cursor(): string | undefined;
  /** Called with each message after it was applied; returns the unsubscribe. */
  onChange(listener: (update: CalendarUpdate) => void): () => void;
}

/** 1 s doubling up to 30 s, waiting between half and all of it (equal jitter). */
async function backoff(retries: number): Promise<void> {
  const ceiling = Math.min(30_000, 1_000 * 2 ** retries);
  await sleep(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** What graphql-ws hands a sink's `error`: the server's errors, a close event, or an Error. */
function asError(failure: unknown): Error {
  if (failure instanceof Error) return failure;
  if (Array.isArray(failure)) {
    const errors = failure as { message: string; extensions?: { code?: string } }[];
    return new Error(errors.map((e) => (e.extensions?.code ? `${e.extensions.code}: ${e.message}` : e.message)).join('; '));
  }
  const { code, reason } = failure as { code?: number; reason?: string };
  return new Error(code === undefined ? String(failure) : `connection closed (${code}${reason ? ` ${reason}` : ''})`);
}

/** A forged or expired token closes the connection 4403: trying again with it cannot help. */
const FORBIDDEN_CLOSE = 4403;

/**
 * The calendar's graphql-ws client: it retries every failure but a forged or expired token, and
 * tells each connection whether it follows a drop.
 */
function calendarConnection(options: LiveCalendarOptions, onConnected: (afterDrop: boolean) => void): Client {
  let dropped = false;
  return createClient({
    url: options.api.endpoint.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${options.api.token}` },
    retryAttempts: options.retryAttempts ?? Number.POSITIVE_INFINITY,
    retryWait: options.retryWait ?? backoff,
    // graphql-ws retries only close events by default; a server restarting refuses the connection (an Error) first.
    shouldRetry: (failure) => (failure as { code?: unknown }).code !== FORBIDDEN_CLOSE,
    on: {
      closed: () => {
        dropped = true;
      },
      connected: () => {
        const afterDrop = dropped;
        dropped = false;
        onConnected(afterDrop);
      },
    },
  });
}

/** The dates as the messages told them, by id, the last cursor, and who is told of each message. */
function calendarState(after: string | undefined): Pick<LiveCalendar, 'current' | 'cursor' | 'onChange'> & {
  apply(update: CalendarUpdate): void;
} {
  const dates = new Map<string, CalendarDate>();
  const listeners = new Set<(update: CalendarUpdate) => void>();
  let cursor = after;
  return {
    apply(update) {
      if (update.reset) dates.clear();
      // Messages come in commit order, so each one's dates are newer than what the map holds.
      for (const date of update.dates) dates.set(date.id, date);
      cursor = update.cursor;
      for (const listener of listeners) listener(update);
    },
    current: () => new Map(dates),
    cursor: () => cursor,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** What `start()` waits for: settled once, by the first of `open` (ready) and `refuse` (its error; false if already settled). */
function startGate() {
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  return {
    wait: () => new Promise<void>((resolve, reject) => (settle = { resolve, reject })),
    open() {
      settle?.resolve();
      settle = undefined;
    },
    refuse(error: Error): boolean {
      const pending = settle !== undefined;
      settle?.reject(error);
      settle = undefined;
      return pending;
    },
  };
}

export function liveCalendar(options: LiveCalendarOptions): LiveCalendar {
  const state = calendarState(options.after);
  let client: Client | undefined;
  let unsubscribe: (() => void) | undefined;
  // Each (re)subscription's number: a sink of an earlier one is ignored, whatever it still delivers.
  let generation = 0;
  const gate = startGate();

  function fail(failure: unknown) {
    const error = asError(failure);
    if (!gate.refuse(error)) (options.onError ?? console.error)(error);
  }

  /** Subscribes from the last cursor, replacing (and silencing) the previous subscription. */
  function subscribeFromCursor(connection: Client) {
    generation += 1;
    const mine = generation;
    unsubscribe?.();
    const variables = { resourceId: options.resourceId, from: options.from, to: options.to, after: state.cursor() };
    unsubscribe = connection.subscribe<LiveCalendarUpdatesSubscription>(trustedPayload(LiveCalendarUpdatesDocument, variables), {
      next: (result) => {
        if (mine !== generation) return;
        if (result.errors) fail(result.errors);
        else if (result.data) {
          state.apply(result.data.availabilityUpdates);
          gate.open();
        }
      },
      error: (failure) => mine === generation && fail(failure),
      complete: () => {},
    });
  }

  return {
    start() {
      if (client) return Promise.reject(new Error('the calendar is started already'));
      const connection = calendarConnection(options, (afterDrop) => {
        if (client !== connection) return;
        // graphql-ws would send the subscription again as first sent; send it from the last cursor instead.
        if (afterDrop) subscribeFromCursor(connection);
        if (state.cursor() !== undefined) gate.open();
      });
      client = connection;
      const ready = gate.wait();
      subscribeFromCursor(connection);
      return ready;
    },
    async stop() {
      const connection = client;
      client = undefined;
      generation += 1;
      unsubscribe?.();
      unsubscribe = undefined;
      gate.refuse(new Error('the calendar was stopped'));
      await connection?.dispose();
    },
    current: state.current,
    cursor: state.cursor,
    onChange: state.onChange,
  };
}

function describeDate(date: CalendarDate): string {
  return `  ${date.date}  ${date.status.padEnd(19)} ${date.remaining} left`;
}

/** What `npx tsx examples/liveCalendar.ts` does: prints the range, then each transaction's dates, until stopped. */
export async function watchCalendar(options: LiveCalendarOptions & { log?: (line: string) => void }): Promise<LiveCalendar> {
  const log = options.log ?? console.log;
  const calendar = liveCalendar(options);
  calendar.onChange((update) => {
    log(update.reset ? `${update.dates.length} dates from ${options.from} to ${options.to}:` : 'changed:');
    for (const date of update.dates) log(describeDate(date));
  });
  await calendar.start();
  return calendar;
}

if (isMain(import.meta.url)) {
  const today = new Date().toISOString().slice(0, 10);
  const resourceId = process.env.RESOURCE_ID;
  Promise.resolve()
    .then(() => {
      if (!resourceId) throw new Error('set RESOURCE_ID to the resource to watch');
      return watchCalendar({
        api: apiFromEnv(),
        resourceId,
        from: process.env.FROM ?? today,
        to: process.env.TO ?? new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
        after: process.env.AFTER,
      });
    })
    .then((calendar) => {
      process.once('SIGINT', () => {
        void calendar.stop().then(() => console.log(`stopped; go on from here with AFTER=${calendar.cursor() ?? ''}`));
      });
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
