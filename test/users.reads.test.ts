// Proves the read half of G8 (README › Guarantees): callers read together, each seeing its own user as it stands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readsById } from '../src/mongo';
import { startTestApp, type TestApp } from './support/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

const users = () => app.db.collection<{ _id: string; suspended: boolean }>('users');

async function profiled<T>(work: () => Promise<T>): Promise<{ result: T; finds: number[] }> {
  await app.db.command({ profile: 2 });
  const since = new Date();
  let result: T;
  try {
    result = await work();
  } finally {
    await app.db.command({ profile: 0 });
  }
  const ops = await app.db
    .collection('system.profile')
    .find({ op: 'query', ns: `${app.db.databaseName}.users`, ts: { $gte: since } })
    .toArray();
  return { result, finds: ops.map((op) => op.nreturned as number) };
}

describe('when many requests read their callers at once', () => {
  it('asks MongoDB once for all of them, and each gets its own user (or none)', async () => {
    await users().insertMany(Array.from({ length: 40 }, (_, i) => ({ _id: `reader-${i}`, suspended: i % 4 === 0 })));
    const read = readsById(users());
    const ids = [...Array.from({ length: 40 }, (_, i) => `reader-${i}`), 'reader-0', 'nobody'];
    const { result, finds } = await profiled(() => Promise.all(ids.map(read)));
    expect(finds).toEqual([40]);
    expect(result.map((doc) => doc?._id ?? null)).toEqual([...ids.slice(0, 41), null]);
    expect(result.map((doc) => doc?.suspended)).toEqual([...ids.slice(0, 41).map((id) => Number(id.split('-')[1]) % 4 === 0), undefined]);
  });

  it('sees a suspension committed before the read was asked for', async () => {
    const read = readsById(users());
    await users().insertOne({ _id: 'late-suspended', suspended: false });
    expect((await read('late-suspended'))?.suspended).toBe(false);
    await users().updateOne({ _id: 'late-suspended' }, { $set: { suspended: true } });
    expect((await read('late-suspended'))?.suspended).toBe(true);
  });

  it('splits a turn with more ids than one query takes', async () => {
    const read = readsById(users(), 10);
    const ids = Array.from({ length: 25 }, (_, i) => `reader-${i}`);
    const { result, finds } = await profiled(() => Promise.all(ids.map(read)));
    expect(finds.sort((a, b) => a - b)).toEqual([5, 10, 10]);
    expect(result.map((doc) => doc?._id)).toEqual(ids);
  });
});
