import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookingDoc } from '../src/bookings';
import type { HoldDoc } from '../src/bookings';
import type { ResourceDoc } from '../src/capacity';
import { startTestApp, type TestApp } from './support/app';
import { inFlight, openAccount } from './support/ledger';
import { collections } from './support/payments';

const MINE = 130;
const PAGE = 50;

let app: TestApp;
let owner: string;
let other: string;
/** Per connection: the ids `owner` must see, in the order the connection promises. */
const expected: Record<string, string[]> = {};

const newestFirst = (ids: string[]) => [...ids].sort().reverse();
const oldestFirst = (ids: string[]) => [...ids].sort();

/** Who owns the n-th item made: every seventh is someone else's, so their rows sit between the owner's MINE. */
const OWNERS: string[] = [];
while (OWNERS.filter((o) => o === 'pat').length < MINE) OWNERS.push(OWNERS.length % 7 === 3 ? 'quinn' : 'pat');

/** Documents inserted straight into the database: paging is what is under test, not how they are made. */
function interleaved<T>(make: (_id: ObjectId, userId: string) => T) {
  const docs = OWNERS.map((userId) => make(new ObjectId(), userId));
  const mine = docs.filter((_, i) => OWNERS[i] === 'pat').map((doc) => (doc as { _id: ObjectId })._id.toHexString());
  return { docs, mine };
}

beforeAll(async () => {
  app = await startTestApp();
  [owner, other] = await Promise.all([app.token('pat'), app.token('quinn')]);
  const now = app.clock.now();
  const resourceId = new ObjectId();

  const holds = interleaved<HoldDoc & { _id: ObjectId }>((_id, userId) => ({
    _id,
    resourceId,
    userId,
    dates: ['2030-01-01'],
    amount: 100,
    currency: 'EUR',
    state: 'released',
    expiresAt: now,
    createdAt: now,
    updatedAt: now,
  }));
  const bookings = interleaved<BookingDoc & { _id: ObjectId }>((_id, userId) => ({
    _id,
    holdId: new ObjectId(),
    checkoutSessionId: `cs_${_id.toHexString()}`,
    paymentIntentId: null,
    userId,
    resourceId,
    dates: ['2030-01-01'],
    amount: 100,
    currency: 'EUR',
    status: 'CANCELLED',
    refund: null,
    createdAt: now,
    updatedAt: now,
  }));
  const resources = Array.from({ length: MINE }, (): ResourceDoc & { _id: ObjectId } => ({
    _id: new ObjectId(),
    name: 'Cabin',
    capacity: 1,
    pricePerDate: 100,
    currency: 'EUR',
    version: 1,
    createdAt: now,
  }));
  await Promise.all([
    collections(app).holds.insertMany(holds.docs),
    collections(app).bookings.insertMany(bookings.docs),
    app.db.collection<ResourceDoc>('resources').insertMany(resources),
  ]);
  // Accounts go through the API, several at a time, both users at once.
  const accounts = await inFlight(OWNERS.length, 8, (i) => openAccount(app, OWNERS[i] === 'pat' ? owner : other));

  expected.myHolds = newestFirst(holds.mine);
  expected.myBookings = newestFirst(bookings.mine);
  expected.myAccounts = oldestFirst(accounts.filter((_, i) => OWNERS[i] === 'pat'));
  expected.resources = oldestFirst(resources.map((r) => r._id.toHexString()));
});
afterAll(() => app.stop());

interface Page {
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

function list(field: string, variables: { first?: number; after?: string }, token = owner) {
  return app.gql(
    token,
    `query($first: Int, $after: String) {
      ${field}(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
    }`,
    variables,
  );
}

async function page(field: string, variables: { first?: number; after?: string }): Promise<Page> {
  const response = await list(field, variables);
  if (!response.data) throw new Error(`${field} failed: ${JSON.stringify(response.errors)}`);
  return response.data[field];
}

describe.each([
  ['myHolds', 'newest first'],
  ['myBookings', 'newest first'],
  ['myAccounts', 'oldest first'],
  ['resources', 'oldest first'],
])('when %s is paged through (%s)', (field) => {
  it(`answers every item exactly once, in order, in pages of ${PAGE}`, async () => {
    const pages: Page[] = [];
    let after: string | undefined;
    do {
      pages.push(await page(field, { first: PAGE, after }));
      after = pages.at(-1)!.pageInfo.endCursor ?? undefined;
    } while (pages.at(-1)!.pageInfo.hasNextPage && pages.length < 10);

    expect(pages.map((p) => p.edges.length)).toEqual([PAGE, PAGE, MINE - 2 * PAGE]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, false]);
    for (const p of pages) {
      expect(p.pageInfo.endCursor).toBe(p.edges.at(-1)!.cursor);
      for (const edge of p.edges) expect(edge.cursor).toBe(edge.node.id);
    }
    expect(pages.flatMap((p) => p.edges.map((edge) => edge.node.id))).toEqual(expected[field]);
  });

  it('answers 20 when first is omitted, and at most 100', async () => {
    const byDefault = await page(field, {});
    expect(byDefault.edges.map((edge) => edge.node.id)).toEqual(expected[field].slice(0, 20));
    expect(byDefault.pageInfo.hasNextPage).toBe(true);
    const largest = await page(field, { first: 100 });
    expect(largest.edges.map((edge) => edge.node.id)).toEqual(expected[field].slice(0, 100));
  });

  it('answers an empty last page after the last item', async () => {
    const empty = await page(field, { first: PAGE, after: expected[field].at(-1) });
    expect(empty).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it.each([
    ['first: 0', { first: 0 }, 'first'],
    ['first: 101', { first: 101 }, 'first'],
    ['first: -1', { first: -1 }, 'first'],
    ['a garbage after', { after: 'not-a-cursor' }, 'after'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_, variables, name) => {
    const response = await list(field, variables);
    expect(response.data).toBeNull();
    expect(response.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: name });
  });
});

describe('when another user lists their own', () => {
  it.each(['myHolds', 'myBookings', 'myAccounts'])('answers only theirs in %s', async (field) => {
    const response = await list(field, { first: 100 }, other);
    const ids: string[] = response.data[field].edges.map((edge: { node: { id: string } }) => edge.node.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id) => expected[field].includes(id))).toEqual([]);
  });
});
