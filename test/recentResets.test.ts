import { ObjectId, Timestamp } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { type Commit, CommitHistory, RecentResets, REUSE_RESET_MS } from '../src/availability';
import type { DateSlotDoc } from '../src/capacity';

const resourceId = new ObjectId();
const other = new ObjectId();
const at = (i: number) => new Timestamp({ t: 1_800_000_000, i });
const commit = (i: number, slots: { resource: ObjectId; date: string }[]): Commit => ({
  at: at(i),
  cursor: String(i),
  slots: slots.map(({ resource, date }) => ({ resourceId: resource, date }) as DateSlotDoc),
  accounts: [],
  entries: [],
});

function setup() {
  let now = 1_000_000;
  const history = new CommitHistory(at(0));
  const recent = new RecentResets<string>(history, () => now);
  const id = resourceId.toHexString();
  recent.remember(id, '2027-01-01', '2027-01-31', { update: 'reset at 5', at: at(5) });
  return { history, recent, id, later: (ms: number) => (now += ms) };
}

describe('RecentResets (a range’s last reset reused only while it is exact)', () => {
  it('is reused within REUSE_RESET_MS while nothing since its snapshot touched the range', () => {
    const { history, recent, id, later } = setup();
    history.append(commit(4, [{ resource: resourceId, date: '2027-01-10' }])); // before the snapshot: in it
    history.append(commit(6, [{ resource: resourceId, date: '2027-02-10' }])); // outside the range
    history.append(commit(7, [{ resource: other, date: '2027-01-10' }])); // another resource
    later(REUSE_RESET_MS - 1);
    expect(recent.get(id, '2027-01-01', '2027-01-31')?.update).toBe('reset at 5');
    expect(recent.get(id, '2027-01-01', '2027-01-30')).toBeUndefined(); // another range
  });

  it('is not reused once a commit after its snapshot touched the range', () => {
    const { history, recent, id } = setup();
    history.append(commit(6, [{ resource: resourceId, date: '2027-01-31' }]));
    expect(recent.get(id, '2027-01-01', '2027-01-31')).toBeUndefined();
  });

  it('is not reused after REUSE_RESET_MS, nor when the history no longer reaches its snapshot', () => {
    const aged = setup();
    aged.later(REUSE_RESET_MS);
    expect(aged.recent.get(aged.id, '2027-01-01', '2027-01-31')).toBeUndefined();
    const restarted = setup();
    restarted.history.restart(at(9)); // the feed lost events: commits 6..9 are unknown
    expect(restarted.recent.get(restarted.id, '2027-01-01', '2027-01-31')).toBeUndefined();
  });
});
