import type { LoadFactory, LoadOp, WorkerInfo } from './load';

/** A load worker process: see `startLoadWorkers`. Talks to the bench over IPC only. */
interface Prepare {
  type: 'prepare';
  phase: number;
  module: string;
  factory: string;
  params: unknown;
  total: number;
  worker: WorkerInfo;
}

type FromBench = Prepare | { type: 'go'; phase: number } | { type: 'exit' };

const now = () => performance.timeOrigin + performance.now();
const send = (message: object) => process.send!(message);
let prepared: { message: Prepare; op: LoadOp } | undefined;

async function prepare(message: Prepare): Promise<void> {
  try {
    const module = (await import(message.module)) as Record<string, LoadFactory<unknown>>;
    const factory = module[message.factory];
    if (typeof factory !== 'function') throw new Error(`${message.module} exports no function ${message.factory}`);
    prepared = { message, op: await factory(message.params, message.worker) };
    send({ type: 'ready', phase: message.phase });
  } catch (error) {
    send({ type: 'failed', phase: message.phase, error: String((error as Error)?.stack ?? error) });
  }
}

async function go(phase: number): Promise<void> {
  const { message, op } = prepared!;
  prepared = undefined;
  const { index, count } = message.worker;
  const mine = Math.max(0, Math.ceil((message.total - index) / count));
  const latencies = new Float64Array(mine);
  const outcomes: Record<string, number> = {};
  const firstFailures: string[] = [];
  let failures = 0;
  let next = 0;
  const startedAt = now();
  await Promise.all(
    Array.from({ length: Math.min(message.worker.concurrency, mine) }, async () => {
      while (next < mine) {
        const slot = next++;
        const t = performance.now();
        try {
          const label = await op.run(index + slot * count);
          if (label) outcomes[label] = (outcomes[label] ?? 0) + 1;
        } catch (error) {
          failures += 1;
          if (firstFailures.length < 5) firstFailures.push(String((error as Error)?.message ?? error).slice(0, 500));
        }
        latencies[slot] = performance.now() - t;
      }
    }),
  );
  const endedAt = now();
  await op.close?.();
  send({ type: 'done', phase, startedAt, endedAt, latencies, outcomes, counters: op.counters ?? {}, failures, firstFailures });
}

process.on('message', (message: FromBench) => {
  if (message.type === 'prepare') void prepare(message);
  else if (message.type === 'go') void go(message.phase);
  else process.exit(0);
});
// The bench went away: nothing left to do.
process.on('disconnect', () => process.exit(0));
