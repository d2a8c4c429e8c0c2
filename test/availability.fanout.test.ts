import { describe, expect, it } from 'vitest';
import { createFanout } from '../src/availability/testing';
import type { DateAvailability } from '../src/availability';

const change = (date: string, version: number, status: DateAvailability['status'] = 'HELD'): DateAvailability => ({
  resourceId: 'r1',
  date,
  version,
  status,
  remaining: status === 'AVAILABLE' ? 1 : 0,
});

describe('when the fan-out hands changes to subscribers', () => {
  it('gives each subscriber only its resource and dates inside its range', async () => {
    const fanout = createFanout();
    const june = fanout.subscribe({ resourceId: 'r1', from: '2027-06-01', to: '2027-06-30' });
    fanout.publish('r2', change('2027-06-10', 1));
    fanout.publish('r1', change('2027-07-01', 1));
    fanout.publish('r1', change('2027-06-30', 4));
    expect(await june.next()).toEqual({ done: false, value: change('2027-06-30', 4) });
  });

  it('keeps only the newest pending change per date for a subscriber that is behind', async () => {
    const fanout = createFanout();
    const slow = fanout.subscribe({ resourceId: 'r1', from: '2027-06-01', to: '2027-06-30' });
    fanout.publish('r1', change('2027-06-01', 1));
    fanout.publish('r1', change('2027-06-02', 1));
    fanout.publish('r1', change('2027-06-01', 2, 'AVAILABLE'));
    fanout.publish('r1', change('2027-06-02', 0, 'AVAILABLE'));
    const received = [await slow.next(), await slow.next()].map((r) => r.value);
    expect(received).toEqual([change('2027-06-02', 1), change('2027-06-01', 2, 'AVAILABLE')]);
  });

  it('forgets a subscriber that returns, and ends a waiting read', async () => {
    const fanout = createFanout();
    const gone = fanout.subscribe({ resourceId: 'r1', from: '2027-06-01', to: '2027-06-30' });
    const waiting = gone.next();
    expect(fanout.subscriberCount()).toBe(1);
    await gone.return!();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(fanout.subscriberCount()).toBe(0);
    fanout.publish('r1', change('2027-06-01', 1));
    expect(await gone.next()).toEqual({ done: true, value: undefined });
  });

  it('ends every subscription with the error when events were lost', async () => {
    const fanout = createFanout();
    const a = fanout.subscribe({ resourceId: 'r1', from: '2027-06-01', to: '2027-06-30' });
    const b = fanout.subscribe({ resourceId: 'r2', from: '2027-06-01', to: '2027-06-30' });
    const waiting = a.next();
    fanout.failAll(new Error('history lost'));
    await expect(waiting).rejects.toThrow('history lost');
    await expect(b.next()).rejects.toThrow('history lost');
    expect(fanout.subscriberCount()).toBe(0);
  });
});

describe('when a subscriber takes changes pushed to it (the WebSocket path)', () => {
  /** A sink that is busy from each change it takes until `flush()`, like a socket write in flight. */
  function writer() {
    const taken: DateAvailability[] = [];
    let busy = false;
    return {
      taken,
      sink: (c: DateAvailability) => {
        if (busy) return false;
        busy = true;
        taken.push(c);
        return true;
      },
      flush(subscription: { drain(): void }) {
        busy = false;
        subscription.drain();
      },
    };
  }

  it('writes at once while idle, and while a write is in flight keeps only the newest change per date', () => {
    const fanout = createFanout();
    const subscription = fanout.subscribe({ resourceId: 'r1', from: '2027-06-01', to: '2027-06-30' });
    const socket = writer();
    subscription.attach(socket.sink);
    fanout.publish('r1', change('2027-06-01', 1));
    expect(socket.taken).toEqual([change('2027-06-01', 1)]);
    // In flight: these wait, coalesced, in publish order of their dates.
    fanout.publish('r1', change('2027-06-02', 1));
    fanout.publish('r1', change('2027-06-01', 2, 'AVAILABLE'));
    fanout.publish('r1', change('2027-06-02', 2, 'AVAILABLE'));
    fanout.publish('r1', change('2027-06-02', 1));
    expect(socket.taken).toHaveLength(1);
    socket.flush(subscription);
    socket.flush(subscription);
    socket.flush(subscription);
    expect(socket.taken).toEqual([change('2027-06-01', 1), change('2027-06-01', 2, 'AVAILABLE'), change('2027-06-02', 2, 'AVAILABLE')]);
  });

  it('ends a pushed subscription through next(): done when it returns, the error when events were lost', async () => {
    const fanout = createFanout();
    const left = fanout.subscribe({ resourceId: 'r1', from: '2027-06-01', to: '2027-06-30' });
    const failed = fanout.subscribe({ resourceId: 'r1', from: '2027-06-01', to: '2027-06-30' });
    left.attach(writer().sink);
    failed.attach(writer().sink);
    const [leftEnd, failedEnd] = [left.next(), failed.next()];
    await left.return!();
    expect(await leftEnd).toEqual({ done: true, value: undefined });
    fanout.failAll(new Error('history lost'));
    await expect(failedEnd).rejects.toThrow('history lost');
    expect(fanout.subscriberCount()).toBe(0);
  });

  it('still reaches every other subscriber when one sink throws', () => {
    const fanout = createFanout();
    const broken = fanout.subscribe({ resourceId: 'r1', from: '2027-06-01', to: '2027-06-30' });
    const fine = fanout.subscribe({ resourceId: 'r1', from: '2027-06-01', to: '2027-06-30' });
    broken.attach(() => {
      throw new Error('bug');
    });
    const socket = writer();
    fine.attach(socket.sink);
    fanout.publish('r1', change('2027-06-03', 1));
    expect(socket.taken).toEqual([change('2027-06-03', 1)]);
  });
});
