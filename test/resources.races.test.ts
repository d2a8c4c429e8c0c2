// Proves G7 and G8 (README › Guarantees).
import { ObjectId, type Timestamp } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DateSlotDoc } from '../src/capacity';
import { liveClaimsOf } from '../src/capacity';
import { errorCode, startTestApp, type TestApp } from './support/app';
import { CREATE_RESOURCE, createResource, dayFromToday, holdDates } from './support/operations';

let app: TestApp;
let admin: string;
beforeAll(async () => {
  app = await startTestApp();
  admin = await app.token('ops', 'admin');
});
afterAll(() => app.stop());

const UPDATE = `mutation($input: UpdateResourceInput!) {
  updateResource(input: $input) {
    __typename
    ... on ResourceUpdated { resource { id version capacity name } }
    ... on VersionConflict { current { version name } }
    ... on CapacityBelowClaims { dates }
  }
}`;
const SET_ROLE = `mutation($input: SetUserRoleInput!) { setUserRole(input: $input) { id role } }`;

describe('when 50 admins update a resource from the same version', () => {
  it('lets exactly one through and shows the others the current resource', async () => {
    const resource = await createResource(app);
    // Fifty different admins, so nothing but the version check stands between their updates.
    const admins = await Promise.all(Array.from({ length: 50 }, (_, i) => app.token(`editor-${i}`, 'admin')));
    const responses = await Promise.all(
      admins.map((token, i) => app.gql(token, UPDATE, { input: { id: resource.id, expectedVersion: 1, name: `name ${i}` } })),
    );
    const kinds = responses.map((r) => r.data.updateResource.__typename);
    expect(kinds.filter((k) => k === 'ResourceUpdated')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'VersionConflict')).toHaveLength(49);
    const winner = responses.find((r) => r.data.updateResource.__typename === 'ResourceUpdated')!.data.updateResource.resource;
    expect(winner.version).toBe(2);
    for (const r of responses.filter((r) => r.data.updateResource.__typename === 'VersionConflict')) {
      expect(r.data.updateResource.current).toEqual({ version: 2, name: winner.name });
    }
  });
});

describe('when capacity is lowered while holds race for the same dates', () => {
  it('never leaves more live claims on a date than the final capacity', async () => {
    for (let round = 0; round < 6; round++) {
      const resource = await createResource(app, { capacity: 10 });
      const dates = [dayFromToday(app, 40 + round), dayFromToday(app, 50 + round)];
      const tokens = await Promise.all(Array.from({ length: 100 }, (_, i) => app.token(`crowd-${round}-${i}`)));
      // Some rounds hold one date first; the others have no slots (as an older version left a resource
      // nobody had held), so the holds' fallback creates them while the capacity changes.
      if (round % 2 === 0) await holdDates(app, tokens[0], resource.id, [dates[0]]);
      else await app.db.collection('dateSlots').deleteMany({ resourceId: new ObjectId(resource.id) });
      const lower = app.gql(admin, UPDATE, { input: { id: resource.id, expectedVersion: 1, capacity: 3 } });
      const holds = tokens.map((token, i) => holdDates(app, token, resource.id, [dates[i % 2]]));
      const [update, ...held] = await Promise.all([lower, ...holds]);

      const final = await app.db.collection('resources').findOne({ _id: new ObjectId(resource.id) });
      const slots = await app.db
        .collection<DateSlotDoc>('dateSlots')
        .find({ resourceId: new ObjectId(resource.id) })
        .toArray();
      const now = app.clock.now();
      for (const slot of slots) {
        expect(slot.capacity).toBe(final!.capacity);
        expect(liveClaimsOf(slot, now).length).toBeLessThanOrEqual(final!.capacity);
      }
      const wins = held.filter((r) => r.data.holdDates.__typename === 'DatesHeld').length;
      expect(wins + (round % 2 === 0 ? 1 : 0)).toBeLessThanOrEqual(final!.capacity * dates.length);
      expect(['ResourceUpdated', 'CapacityBelowClaims']).toContain(update.data.updateResource.__typename);
    }
  });

  it('refuses to lower capacity below what a date already holds, naming the dates', async () => {
    const resource = await createResource(app, { capacity: 3 });
    const date = dayFromToday(app, 70);
    for (const i of [1, 2]) await holdDates(app, await app.token(`pair-${i}`), resource.id, [date]);
    const response = await app.gql(admin, UPDATE, { input: { id: resource.id, expectedVersion: 1, capacity: 1 } });
    expect(response.data.updateResource).toEqual({ __typename: 'CapacityBelowClaims', dates: [date] });
    const raised = await app.gql(admin, UPDATE, { input: { id: resource.id, expectedVersion: 1, capacity: 5 } });
    expect(raised.data.updateResource.resource.capacity).toBe(5);
  });
});

/** When a transaction that inserted into or updated `collection` committed, read from the oplog. */
async function commitTime(collection: string, match: Record<string, unknown>): Promise<Timestamp | undefined> {
  const ns = `${app.db.databaseName}.${collection}`;
  const entry = await app.db.client
    .db('local')
    .collection('oplog.rs')
    .find({ $or: [{ ns, ...match }, { 'o.applyOps': { $elemMatch: { ns, ...match } } }] })
    .sort({ $natural: -1 })
    .limit(1)
    .next();
  return entry?.ts as Timestamp | undefined;
}

describe('when an admin acts while another revokes their role', () => {
  it('never commits the action after the revocation, over 200 races', async () => {
    const boss = await app.token('boss', 'admin');
    const actor = await app.token('actor', 'admin');
    await app.gql(actor, `{ me { id } }`);
    let actedBeforeRevocation = 0;
    let refused = 0;
    for (let round = 0; round < 200; round++) {
      const name = `race-${round}`;
      const [action, revocation] = await Promise.all([
        app.gql(actor, CREATE_RESOURCE, { input: { name, capacity: 1, pricePerDate: 100, currency: 'EUR' } }),
        app.gql(boss, SET_ROLE, { input: { userId: 'actor', role: 'USER' } }),
      ]);
      expect(revocation.data.setUserRole.role).toBe('USER');
      const revokedAt = await commitTime('users', { 'o2._id': 'actor', 'o.diff.u.role': 'user' });
      if (action.data) {
        const createdAt = await commitTime('resources', { 'o._id': new ObjectId(action.data.createResource.id) });
        expect(createdAt!.compare(revokedAt!)).toBeLessThan(0);
        actedBeforeRevocation += 1;
      } else {
        expect(errorCode(action)).toBe('FORBIDDEN');
        expect(await app.db.collection('resources').countDocuments({ name })).toBe(0);
        refused += 1;
      }
      await app.gql(boss, SET_ROLE, { input: { userId: 'actor', role: 'ADMIN' } });
    }
    console.log('revocation race', { actedBeforeRevocation, refused });
    expect(actedBeforeRevocation + refused).toBe(200);
  });

  it('takes a revocation into account at once, whatever the token says', async () => {
    const boss = await app.token('boss', 'admin');
    const former = await app.token('former', 'admin');
    expect((await app.gql(former, `{ me { role } }`)).data.me.role).toBe('ADMIN');
    await app.gql(boss, SET_ROLE, { input: { userId: 'former', role: 'USER' } });
    expect(errorCode(await app.gql(former, CREATE_RESOURCE, { input: { name: 'x', capacity: 1, pricePerDate: 1, currency: 'EUR' } }))).toBe(
      'FORBIDDEN',
    );
    expect((await app.gql(former, `{ me { role } }`)).data.me.role).toBe('USER');
  });

  it("refuses a suspended user's holds", async () => {
    const boss = await app.token('boss', 'admin');
    const user = await app.token('mallory');
    const resource = await createResource(app);
    await app.gql(boss, `mutation { suspendUser(input: { userId: "mallory" }) { suspended } }`);
    const response = await holdDates(app, user, resource.id, [dayFromToday(app, 3)]);
    expect(errorCode(response)).toBe('FORBIDDEN');
    expect(await app.db.collection('holds').countDocuments({ userId: 'mallory' })).toBe(0);
  });
});
