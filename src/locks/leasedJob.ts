import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Lease, LeaseLocks } from './lease';

/** What every background job built on `leasedJob` is configured with. */
export interface BackgroundJobSettings {
  locks: LeaseLocks;
  clock: Clock;
  logger: Logger;
  /** 0 disables the background loop (runs can still be made by hand). */
  intervalMs: number;
  leaseMs?: number;
  batchSize?: number;
  /** Told about each run (metrics): `worked` (held the lock; `items` when the run answers a count), `idle` (another instance holds it), `failed`. */
  onRun?: (job: string, result: 'worked' | 'idle' | 'failed', items?: number) => void;
}

export interface LeasedJobOptions<T> extends Pick<BackgroundJobSettings, 'locks' | 'logger' | 'intervalMs' | 'onRun'> {
  /** The lock's name: one holder of it cluster-wide does the work at a time. */
  lockName: string;
  leaseMs: number;
  /** Whether `start` runs once right away instead of waiting a first interval. */
  runAtStart?: boolean;
  /** What a run answers when another instance holds the lock. */
  idle: T;
  /** One run's work with a lease current at its start; `keep()` extends it, false if it was lost. */
  run: (lease: Lease, keep: () => Promise<boolean>) => Promise<T>;
}

/**
 * A periodic job that runs on every instance while the lease lock lets one of them work at a time.
 * The lease is kept between runs (renewed at each) and released on stop, so a successor need not
 * wait for it to expire.
 */
export function leasedJob<T>(options: LeasedJobOptions<T>) {
  const { lockName, locks, logger, leaseMs } = options;
  const owner = randomUUID();
  let lease: Lease | null = null;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  async function keep(): Promise<boolean> {
    lease = lease && (await locks.renew(lease, leaseMs));
    return lease !== null;
  }

  async function runOnce(): Promise<T> {
    try {
      lease = (lease && (await locks.renew(lease, leaseMs))) ?? (await locks.acquire(lockName, owner, leaseMs));
      if (!lease) {
        options.onRun?.(lockName, 'idle');
        return options.idle;
      }
      const result = await options.run(lease, keep);
      options.onRun?.(lockName, 'worked', typeof result === 'number' ? result : undefined);
      return result;
    } catch (error) {
      options.onRun?.(lockName, 'failed');
      throw error;
    }
  }

  function tick() {
    if (running) return; // the previous run is still going
    running = runOnce()
      .catch((error) => logger.warn({ err: error, lock: lockName }, 'leased job failed; will retry'))
      .finally(() => (running = undefined));
  }

  return {
    owner,
    runOnce,
    start() {
      if (options.intervalMs <= 0 || timer) return;
      timer = setInterval(tick, options.intervalMs);
      timer.unref();
      if (options.runAtStart) tick();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
      if (lease) await locks.release(lease);
      lease = null;
    },
  };
}
