import { describe, expect, it } from 'vitest';
import { sharedResets } from '../src/availability';

/** A read that ends when told to, counting how many were started. */
function reads() {
  const started: { key: string; finish: (value: string) => void; fail: (error: Error) => void }[] = [];
  return {
    started,
    read: (key: string) => () => new Promise<string>((resolve, reject) => started.push({ key, finish: resolve, fail: reject })),
  };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('sharedResets (one reset read per key in flight; who asks meanwhile shares the next)', () => {
  it('callers asking while a read runs share ONE next read, started only after the running one ended', async () => {
    const shared = sharedResets<string>();
    const { started, read } = reads();
    const first = shared('a', read('a'));
    await tick();
    expect(started).toHaveLength(1);
    const later = [shared('a', read('a')), shared('a', read('a')), shared('a', read('a'))];
    await tick();
    expect(started).toHaveLength(1); // the next read waits: its snapshot must start after they asked
    started[0].finish('snapshot 1');
    expect(await first).toBe('snapshot 1');
    await tick();
    expect(started).toHaveLength(2);
    started[1].finish('snapshot 2');
    expect(await Promise.all(later)).toEqual(['snapshot 2', 'snapshot 2', 'snapshot 2']);
  });

  it('never hands a caller a read that started before it asked', async () => {
    const shared = sharedResets<string>();
    const { started, read } = reads();
    const first = shared('a', read('a'));
    await tick();
    const second = shared('a', read('a')); // asked after the first read started
    started[0].finish('old');
    await first;
    await tick();
    started[1].finish('new');
    expect(await second).toBe('new');
  });

  it('keys are independent, and a failed read fails only those who shared it', async () => {
    const shared = sharedResets<string>();
    const { started, read } = reads();
    const a = shared('a', read('a'));
    const b = shared('b', read('b'));
    await tick();
    expect(started.map((s) => s.key)).toEqual(['a', 'b']);
    started[0].fail(new Error('outage'));
    await expect(a).rejects.toThrow('outage');
    const again = shared('a', read('a'));
    await tick();
    started[2].finish('recovered');
    started[1].finish('b');
    expect(await again).toBe('recovered');
    expect(await b).toBe('b');
  });
});
