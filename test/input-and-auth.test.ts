import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, startTestApp, type TestApp } from './support/app';
import { AVAILABILITY, CREATE_RESOURCE, createResource, dayFromToday, HOLD_DATES, holdDates, newKey } from './support/operations';

let app: TestApp;
let admin: string;
let user: string;
beforeAll(async () => {
  app = await startTestApp();
  [admin, user] = await Promise.all([app.token('ops', 'admin'), app.token('carol')]);
});
afterAll(() => app.stop());

/** Documents in every collection, so a refused request can be shown to have written nothing. */
async function snapshot() {
  const names = ['resources', 'holds', 'dateSlots', 'idempotencyKeys'];
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await app.db.collection(n).countDocuments()])));
}

const validResource = { name: 'Boat', capacity: 2, pricePerDate: 1000, currency: 'EUR' };

describe('when createResource gets bad input', () => {
  it.each([
    ['capacity 0', { capacity: 0 }, 'capacity'],
    ['negative capacity', { capacity: -3 }, 'capacity'],
    ['fractional capacity', { capacity: 1.5 }, 'capacity'],
    ['capacity as a string', { capacity: '2' }, 'capacity'],
    ['capacity over the maximum', { capacity: 1001 }, 'capacity'],
    ['price 0', { pricePerDate: 0 }, 'pricePerDate'],
    ['a price above 2^53', { pricePerDate: 2 ** 53 }, 'pricePerDate'],
    ['an unknown currency', { currency: 'ABC' }, 'currency'],
    ['an empty name', { name: '   ' }, 'name'],
  ])('refuses %s with BAD_USER_INPUT naming the field, writing nothing', async (_, change, field) => {
    const before = await snapshot();
    const response = await app.gql(admin, CREATE_RESOURCE, { input: { ...validResource, ...change } });
    expect(response.status).toBeLessThan(500);
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toContain(field);
    expect(await snapshot()).toEqual(before);
  });
});

describe('when holdDates gets bad input', () => {
  let resourceId: string;
  beforeAll(async () => {
    resourceId = (await createResource(app)).id;
  });

  it.each([
    ['a malformed date', () => ['2026-13-01'], 'dates'],
    ['an impossible date', () => ['2027-02-30'], 'dates'],
    ['a past date', () => [dayFromToday(app, -1)], 'dates'],
    ['no dates', () => [], 'dates'],
    ['32 dates', () => Array.from({ length: 32 }, (_, i) => dayFromToday(app, i + 1)), 'dates'],
    ['a repeated date', () => [dayFromToday(app, 3), dayFromToday(app, 3)], 'dates'],
    ['a date too far ahead', () => [dayFromToday(app, 5000)], 'dates'],
  ])('refuses %s with BAD_USER_INPUT, writing nothing', async (_, dates, field) => {
    const before = await snapshot();
    const response = await holdDates(app, user, resourceId, dates());
    expect(response.status).toBeLessThan(500);
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toContain(field);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses an unknown or malformed resource id', async () => {
    const before = await snapshot();
    for (const id of ['0123456789abcdef01234567', 'not-an-id']) {
      const response = await holdDates(app, user, id, [dayFromToday(app, 1)]);
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0].message).toContain('resourceId');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses an empty or oversized idempotency key', async () => {
    for (const idempotencyKey of ['', 'k'.repeat(256)]) {
      const response = await app.gql(user, HOLD_DATES, { input: { resourceId, dates: [dayFromToday(app, 1)], idempotencyKey } });
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
    }
  });

  it('refuses an availability range over 366 days or backwards', async () => {
    const tooLong = await app.gql(user, AVAILABILITY, { resourceId, from: dayFromToday(app, 0), to: dayFromToday(app, 366) });
    expect(errorCode(tooLong)).toBe('BAD_USER_INPUT');
    const backwards = await app.gql(user, AVAILABILITY, { resourceId, from: dayFromToday(app, 5), to: dayFromToday(app, 4) });
    expect(errorCode(backwards)).toBe('BAD_USER_INPUT');
    const fullYear = await app.gql(user, AVAILABILITY, { resourceId, from: dayFromToday(app, 0), to: dayFromToday(app, 365) });
    expect(fullYear.data.availability).toHaveLength(366);
  });
});

describe('when the caller is not allowed', () => {
  it('answers UNAUTHENTICATED without a token, writing nothing', async () => {
    const before = await snapshot();
    const response = await app.gql(undefined, CREATE_RESOURCE, { input: validResource });
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    const hold = await app.gql(undefined, HOLD_DATES, {
      input: { resourceId: 'x', dates: [dayFromToday(app, 1)], idempotencyKey: newKey() },
    });
    expect(errorCode(hold)).toBe('UNAUTHENTICATED');
    expect(await snapshot()).toEqual(before);
  });

  it('answers UNAUTHENTICATED with HTTP 401 for a forged token', async () => {
    const forged = `${user.slice(0, -4)}AAAA`;
    const response = await app.gql(forged, `{ me { id } }`);
    expect(response.status).toBe(401);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
  });

  it('answers FORBIDDEN when a user tries an admin mutation', async () => {
    const before = await snapshot();
    const response = await app.gql(user, CREATE_RESOURCE, { input: validResource });
    expect(errorCode(response)).toBe('FORBIDDEN');
    expect(await snapshot()).toEqual(before);
  });

  it('tells a caller who they are', async () => {
    expect((await app.gql(admin, `{ me { id role } }`)).data.me).toEqual({ id: 'ops', role: 'ADMIN' });
  });
});

describe('when something unexpected fails', () => {
  it('answers a malformed request body with a 4xx, never a 500', async () => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
  });

  it('reports healthy while MongoDB answers', async () => {
    const response = await fetch(`${app.url}/healthz`);
    expect(response.status).toBe(200);
  });
});
