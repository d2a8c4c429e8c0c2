import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type ProcessGroups, snapshotUsage, type UsageSnapshot, usageBetween } from './proc';

/**
 * One kind of operation a load worker runs, made by a factory exported from a load module (a
 * file of its own, so workers can import it without running a bench's main code). The factory
 * runs in the worker before the clock starts (open clients, warm sockets); `run(i)` is operation
 * number `i` of the phase and may return a label (`'won'`, `'lost'`) that is counted.
 */
export interface LoadOp {
  run(i: number): Promise<string | void>;
  /** Counted by the op itself (e.g. transaction attempts); summed over workers. */
  counters?: Record<string, number>;
  close?(): Promise<void> | void;
}

export interface WorkerInfo {
  index: number;
  count: number;
  /** This worker's operations in flight (its share of the phase's concurrency). */
  concurrency: number;
}

export type LoadFactory<P> = (params: P, worker: WorkerInfo) => LoadOp | Promise<LoadOp>;

export interface PhaseSpec<P = unknown> {
  /** The load module: a path or file URL (e.g. `new URL('./holds.load.ts', import.meta.url)`). */
  module: string | URL;
  /** The name of the factory it exports. */
  factory: string;
  /** Passed to the factory in every worker; must survive structured cloning. */
  params: P;
  /** Operations in the phase, numbered 0..total-1; worker w of W runs w, w+W, w+2W, ... */
  total: number;
  /** Operations in flight at every moment, over all workers. */
  concurrency: number;
  /** Process groups whose CPU time is measured over the phase (the load workers are added as `load`). */
  measure?: ProcessGroups;
}

export interface PhaseResult {
  total: number;
  /** From the first operation started to the last one finished, over all workers. */
  seconds: number;
  /** Operations per second. */
  rate: number;
  /** Per-operation latencies (ms), in no particular order. */
  latencies: Float64Array;
  /** How many operations returned each label. */
  outcomes: Record<string, number>;
  counters: Record<string, number>;
  /** CPU time (ms) and RSS of each measured group over the phase. */
  usage: UsageSnapshot;
}

export interface LoadPool {
  workers: number;
  pids(): number[];
  /** Runs one phase: prepares every worker, starts them together, fails if any operation failed. */
  run<P>(spec: PhaseSpec<P>): Promise<PhaseResult>;
  close(): Promise<void>;
}

interface Done {
  type: 'done';
  phase: number;
  startedAt: number;
  endedAt: number;
  latencies: Float64Array;
  outcomes: Record<string, number>;
  counters: Record<string, number>;
  failures: number;
  firstFailures: string[];
}

type FromWorker = { type: 'ready'; phase: number } | { type: 'failed'; phase: number; error: string } | Done;

const WORKER = fileURLToPath(new URL('./loadWorker.ts', import.meta.url));

/**
 * Load worker processes (`node --import tsx bench/support/loadWorker.ts`), so the clients never
 * share an event loop with the bench's own bookkeeping or with the server.
 */
export async function startLoadWorkers(count = 1): Promise<LoadPool> {
  const children: ChildProcess[] = [];
  const inbox = new Map<ChildProcess, FromWorker[]>();
  const waiters = new Map<ChildProcess, () => void>();
  for (let i = 0; i < count; i += 1) {
    const child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    inbox.set(child, []);
    child.on('message', (message: FromWorker) => {
      inbox.get(child)!.push(message);
      waiters.get(child)?.();
    });
    child.once('exit', () => waiters.get(child)?.());
    children.push(child);
  }

  async function next(child: ChildProcess, phase: number): Promise<FromWorker> {
    for (;;) {
      const queue = inbox.get(child)!;
      const index = queue.findIndex((message) => message.phase === phase);
      if (index >= 0) return queue.splice(index, 1)[0];
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`load worker ${child.pid} exited (${child.exitCode ?? child.signalCode})`);
      await new Promise<void>((resolve) => waiters.set(child, resolve));
    }
  }

  let phases = 0;
  return {
    workers: count,
    pids: () => children.map((child) => child.pid!),
    async run<P>(spec: PhaseSpec<P>): Promise<PhaseResult> {
      const phase = ++phases;
      const module =
        spec.module instanceof URL ? spec.module.href : spec.module.startsWith('file:') ? spec.module : pathToFileURL(spec.module).href;
      // Every worker that takes part gets at least one operation and one lane.
      const active = children.slice(0, Math.max(1, Math.min(children.length, spec.concurrency, spec.total)));
      active.forEach((child, index) =>
        child.send({
          type: 'prepare',
          phase,
          module,
          factory: spec.factory,
          params: spec.params,
          total: spec.total,
          worker: {
            index,
            count: active.length,
            concurrency: Math.floor(spec.concurrency / active.length) + (index < spec.concurrency % active.length ? 1 : 0),
          },
        }),
      );
      const prepared = await Promise.all(active.map((child) => next(child, phase)));
      const refused = prepared.find((message) => message.type === 'failed');
      if (refused?.type === 'failed') throw new Error(`load worker could not prepare ${spec.factory}: ${refused.error}`);

      const groups: ProcessGroups = { ...spec.measure, load: children.map((child) => child.pid!) };
      const before = snapshotUsage(groups);
      active.forEach((child) => child.send({ type: 'go', phase }));
      const results = (await Promise.all(active.map((child) => next(child, phase)))) as Done[];
      const usage = usageBetween(before, snapshotUsage(groups));

      const failures = results.reduce((sum, result) => sum + result.failures, 0);
      if (failures > 0) {
        const examples = results.flatMap((result) => result.firstFailures).slice(0, 5);
        throw new Error(`${failures} of ${spec.total} ${spec.factory} operations failed, e.g.:\n  ${examples.join('\n  ')}`);
      }
      const startedAt = Math.min(...results.map((result) => result.startedAt));
      const endedAt = Math.max(...results.map((result) => result.endedAt));
      const latencies = new Float64Array(spec.total);
      let offset = 0;
      const outcomes: Record<string, number> = {};
      const counters: Record<string, number> = {};
      for (const result of results) {
        latencies.set(result.latencies, offset);
        offset += result.latencies.length;
        for (const [label, n] of Object.entries(result.outcomes)) outcomes[label] = (outcomes[label] ?? 0) + n;
        for (const [label, n] of Object.entries(result.counters)) counters[label] = (counters[label] ?? 0) + n;
      }
      const seconds = (endedAt - startedAt) / 1000;
      return { total: spec.total, seconds, rate: spec.total / seconds, latencies, outcomes, counters, usage };
    },
    async close() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
              child.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              child.send({ type: 'exit' });
            }),
        ),
      );
    },
  };
}
