// Apollo Client 4 on the live views (README › Live availability, G20-G21): with a default
// InMemoryCache and no merge code, `availabilityUpdates` keeps the cached `availability` answer a
// calendar renders up to date, one transaction at a time, and resumes from its cursor without a refetch.
import { ApolloClient, ApolloLink, gql, HttpLink, InMemoryCache, type TypedDocumentNode } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';
import { createResource, dayFromToday, holdDates } from './support/operations';
import { until, waitForSubscribers } from './support/subscriptions';

interface DateView {
  __typename: 'DateAvailability';
  id: string;
  resourceId: string;
  date: string;
  remaining: number;
  status: 'AVAILABLE' | 'PARTIALLY_AVAILABLE' | 'HELD' | 'BOOKED';
  version: number;
}
interface Range {
  resourceId: string;
  from: string;
  to: string;
}
interface AvailabilityUpdate {
  __typename: 'AvailabilityUpdate';
  cursor: string;
  reset: boolean;
  dates: DateView[];
}

/** What the calendar component renders; `__typename` is added by the cache. */
const AVAILABILITY: TypedDocumentNode<{ availability: DateView[] }, Range> = gql`
  query CalendarAvailability($resourceId: ID!, $from: LocalDate!, $to: LocalDate!) {
    availability(resourceId: $resourceId, from: $from, to: $to) {
      id
      resourceId
      date
      remaining
      status
      version
    }
  }
`;

/** The same fields per date, so each message normalizes onto the entities the query's answer points at. */
const AVAILABILITY_UPDATES: TypedDocumentNode<{ availabilityUpdates: AvailabilityUpdate }, Range & { after?: string }> = gql`
  subscription CalendarUpdates($resourceId: ID!, $from: LocalDate!, $to: LocalDate!, $after: String) {
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
`;

/** The older per-date view, for contrast: one message per date of each transaction. */
const AVAILABILITY_CHANGED: TypedDocumentNode<{ availabilityChanged: DateView }, Range> = gql`
  subscription CalendarChanges($resourceId: ID!, $from: LocalDate!, $to: LocalDate!) {
    availabilityChanged(resourceId: $resourceId, from: $from, to: $to) {
      id
      resourceId
      date
      remaining
      status
      version
    }
  }
`;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

/**
 * An ApolloClient as an app would build one: queries over HTTP, subscriptions over graphql-ws, one
 * default InMemoryCache (pass one to start again on a cache kept from before). `httpRequests` names
 * every operation sent over HTTP.
 */
function apolloClient(token: string, cache = new InMemoryCache()) {
  const httpRequests: string[] = [];
  const countingFetch: typeof fetch = (input, init) => {
    httpRequests.push((JSON.parse(String(init?.body)) as { operationName: string }).operationName);
    return fetch(input, init);
  };
  const ws = createClient({
    url: `${app.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  const http = new HttpLink({ uri: `${app.url}/graphql`, headers: { authorization: `Bearer ${token}` }, fetch: countingFetch });
  const link = ApolloLink.split((operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION, new GraphQLWsLink(ws), http);
  const client = new ApolloClient({ link, cache });
  return {
    client,
    cache,
    httpRequests,
    async stop() {
      client.stop();
      await ws.dispose();
    },
  };
}

type Apollo = ReturnType<typeof apolloClient>;

/**
 * Subscribes through the client (so every message is written to its cache) and records the messages,
 * and the cached availability answer right after each one was written (`cacheAfter`, null while the
 * range is not cached): the cache's own steps, which the watched query's emissions may coalesce.
 */
function subscribeUpdates(apollo: Apollo, variables: Range & { after?: string }) {
  const messages: AvailabilityUpdate[] = [];
  const cacheAfter: (Map<string, DateView['status']> | null)[] = [];
  const errors: unknown[] = [];
  const { after: _after, ...rangeOnly } = variables;
  const subscription = apollo.client.subscribe({ query: AVAILABILITY_UPDATES, variables }).subscribe({
    next: (result) => {
      if (result.error) errors.push(result.error);
      if (!result.data) return;
      messages.push(result.data.availabilityUpdates);
      const cached = apollo.cache.readQuery({ query: AVAILABILITY, variables: rangeOnly });
      cacheAfter.push(cached && new Map(cached.availability.map((d) => [d.date, d.status])));
    },
    error: (error: unknown) => errors.push(error),
  });
  return {
    messages,
    cacheAfter,
    async waitForCount(count: number): Promise<AvailabilityUpdate[]> {
      await until(() => messages.length >= count || errors.length > 0, `${count} messages arrived (got ${messages.length})`);
      expect(errors).toEqual([]);
      return messages.slice(0, count);
    },
    unsubscribe: () => subscription.unsubscribe(),
  };
}

/** Watches the query as a component would and records the statuses of every answer it emits, by date. */
function watchAvailability(apollo: Apollo, variables: Range) {
  const emissions: Map<string, DateView['status']>[] = [];
  const subscription = apollo.client.watchQuery({ query: AVAILABILITY, variables }).subscribe((result) => {
    if (result.dataState === 'complete') emissions.push(new Map(result.data.availability.map((d) => [d.date, d.status])));
  });
  return { emissions, unsubscribe: () => subscription.unsubscribe() };
}

const statusesInCache = (apollo: Apollo, variables: Range) =>
  apollo.cache.readQuery({ query: AVAILABILITY, variables })?.availability.map((d) => [d.date, d.status]);

const range = (first: number, count: number) => Array.from({ length: count }, (_, i) => dayFromToday(app, first + i));

describe('Apollo Client 4 with a default InMemoryCache and GraphQLWsLink', () => {
  it('shows a pushed hold in the cached availability answer the component renders, with no merge code and no refetch', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const dates = range(10, 5);
    const variables = { resourceId: resource.id, from: dates[0], to: dates[4] };
    const apollo = apolloClient(await app.token('apollo-viewer'));
    try {
      const { data } = await apollo.client.query({ query: AVAILABILITY, variables });
      expect(data?.availability.map((d) => d.status)).toEqual(Array(5).fill('AVAILABLE'));
      const live = subscribeUpdates(apollo, variables);
      const [reset] = await live.waitForCount(1);
      expect(reset.reset).toBe(true);

      expect((await holdDates(app, await app.token('apollo-booker'), resource.id, [dates[1]])).data.holdDates.__typename).toBe('DatesHeld');
      await until(() => statusesInCache(apollo, variables)?.[1]?.[1] === 'HELD', 'the cache shows the held date');
      expect(statusesInCache(apollo, variables)).toEqual(dates.map((date) => [date, date === dates[1] ? 'HELD' : 'AVAILABLE']));
      // The pushed date replaced the query's entity by its id: one entry per date, no second copy.
      const entities = Object.keys(apollo.cache.extract() as Record<string, unknown>).filter((key) => key.startsWith('DateAvailability:'));
      expect(entities.sort()).toEqual(dates.map((date) => `DateAvailability:${resource.id}:${date}`));
      expect(apollo.httpRequests).toEqual(['CalendarAvailability']);
      live.unsubscribe();
    } finally {
      await apollo.stop();
    }
  });

  it('flips every date of a five-date hold in ONE step of the cache and ONE emission of the watched query, never part of them', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const dates = range(30, 7);
    const held = dates.slice(1, 6);
    const variables = { resourceId: resource.id, from: dates[0], to: dates[6] };
    const apollo = apolloClient(await app.token('apollo-viewer'));
    try {
      const watched = watchAvailability(apollo, variables);
      await until(() => watched.emissions.length > 0, 'the query is answered');
      const live = subscribeUpdates(apollo, variables);
      await live.waitForCount(1);

      expect((await holdDates(app, await app.token('apollo-booker'), resource.id, held)).data.holdDates.__typename).toBe('DatesHeld');
      const heldIn = (emission: Map<string, string>) => held.filter((date) => emission.get(date) === 'HELD').length;
      await until(() => heldIn(watched.emissions[watched.emissions.length - 1]) === held.length, 'the watched query shows the hold');
      const [, update] = await live.waitForCount(2);
      expect(update.dates.map((d) => d.date)).toEqual(held);
      // The cache went from none of the hold to all of it in one write (per-date events would step 1, 2, 3, 4, 5)...
      expect(live.cacheAfter.map((cached) => cached && heldIn(cached))).toEqual([0, held.length]);
      // ...and every answer the component got showed none of it or all of it.
      const counts = watched.emissions.map(heldIn);
      expect(counts[0]).toBe(0);
      expect(counts.filter((n) => n !== 0 && n !== held.length)).toEqual([]);
      expect([...watched.emissions[watched.emissions.length - 1]]).toEqual(
        dates.map((date) => [date, held.includes(date) ? 'HELD' : 'AVAILABLE']),
      );
      watched.unsubscribe();
      live.unsubscribe();
    } finally {
      await apollo.stop();
    }
  });

  it('by contrast, with the per-date availabilityChanged, the cache passes through every part of the hold (what the one-step check catches)', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const dates = range(40, 5);
    const variables = { resourceId: resource.id, from: dates[0], to: dates[4] };
    const apollo = apolloClient(await app.token('apollo-viewer'));
    try {
      await apollo.client.query({ query: AVAILABILITY, variables });
      // This event carries no reset to tell it is registered: count subscribers from none (earlier tests' are gone).
      await until(() => app.app.services.live.subscriberCount() === 0, 'earlier subscribers are gone');
      const heldAfter: number[] = [];
      const subscription = apollo.client.subscribe({ query: AVAILABILITY_CHANGED, variables }).subscribe((result) => {
        const cached = statusesInCache(apollo, variables) ?? [];
        if (result.data) heldAfter.push(cached.filter(([, status]) => status === 'HELD').length);
      });
      await waitForSubscribers(app, 1);
      await holdDates(app, await app.token('apollo-booker'), resource.id, dates);
      await until(() => heldAfter.length === dates.length, 'every date’s event arrived');
      expect(heldAfter).toEqual([1, 2, 3, 4, 5]);
      subscription.unsubscribe();
    } finally {
      await apollo.stop();
    }
  });

  it('started again on its cache with `after`, catches up on the missed holds without a reset and without refetching availability', async () => {
    const resource = await createResource(app, { capacity: 1 });
    const dates = range(50, 6);
    const variables = { resourceId: resource.id, from: dates[0], to: dates[5] };
    const viewer = await app.token('apollo-viewer');
    const booker = await app.token('apollo-booker');
    const first = apolloClient(viewer);
    let cursor: string;
    try {
      await first.client.query({ query: AVAILABILITY, variables });
      const live = subscribeUpdates(first, variables);
      await live.waitForCount(1);
      await holdDates(app, booker, resource.id, [dates[0]]);
      const messages = await live.waitForCount(2);
      cursor = messages[messages.length - 1].cursor;
      live.unsubscribe();
    } finally {
      await first.stop();
    }

    // Missed while stopped: two transactions.
    await holdDates(app, booker, resource.id, [dates[2]]);
    await holdDates(app, booker, resource.id, dates.slice(3, 5));

    const again = apolloClient(viewer, first.cache);
    try {
      const watched = watchAvailability(again, variables);
      const live = subscribeUpdates(again, { ...variables, after: cursor });
      const missed = await live.waitForCount(2);
      expect(missed.map((m) => [m.reset, m.dates.map((d) => d.date)])).toEqual([
        [false, [dates[2]]],
        [false, dates.slice(3, 5)],
      ]);
      expect(missed[0].cursor > cursor).toBe(true);
      const expected = dates.map((date, i) => [date, [0, 2, 3, 4].includes(i) ? 'HELD' : 'AVAILABLE']);
      await until(() => JSON.stringify(statusesInCache(again, variables)) === JSON.stringify(expected), 'the cache caught up');
      await until(() => JSON.stringify([...(watched.emissions.at(-1) ?? [])]) === JSON.stringify(expected), 'the watched query caught up');
      // The answer came from the kept cache; only the subscription went out.
      expect(again.httpRequests).toEqual([]);
      watched.unsubscribe();
      live.unsubscribe();
    } finally {
      await again.stop();
    }
  });
});
