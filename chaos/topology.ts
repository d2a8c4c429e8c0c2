import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EmbeddedReplSet, freePort, startEmbeddedReplSet } from '../src/dev';
import { type RunningStripeMock, startStripeMock } from '../src/dev';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const JWT_SECRET = 'chaos-jwt-secret-not-for-production-use-0123456789';
export const WEBHOOK_SECRET = 'whsec_chaos_0123456789abcdef';
export const DB_NAME = 'chaos';
export const HOLD_TTL_SECONDS = 6;

/** One API process; `child` is undefined while it is down (killed, not yet restarted). */
export interface ApiInstance {
  index: number;
  url: string;
  port: number;
  child?: ChildProcess;
  up: boolean;
}

export interface Topology {
  replSet: EmbeddedReplSet;
  stripe: RunningStripeMock;
  instances: ApiInstance[];
  logDir: string;
  kill(instance: ApiInstance): void;
  restart(instance: ApiInstance): Promise<void>;
  /** Every instance answers /readyz 200 (a primary and its change stream), or throws after `timeoutMs`. */
  waitReady(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

async function answers(url: string, path: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(3000) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * The run's own world on 127.0.0.1: a replica set with failpoints enabled, stripe-mock, and API
 * processes started as `node --import tsx src/main.ts` so SIGKILL reaches the process that serves.
 * Everything started is registered for `stop()`, which the caller runs in `finally`.
 */
export async function startTopology(options: { members: number; instances: number; log: (line: string) => void }): Promise<Topology> {
  const logDir = mkdtempSync(join(tmpdir(), 'race-free-chaos-'));
  const started: { replSet?: EmbeddedReplSet; stripe?: RunningStripeMock } = {};
  const instances: ApiInstance[] = [];

  const spawnApi = (instance: ApiInstance) => {
    const out = createWriteStream(join(logDir, `api-${instance.index}.log`), { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        PORT: String(instance.port),
        MONGODB_URI: started.replSet!.uri,
        MONGODB_DB: DB_NAME,
        DATA_DIR: join(logDir, `data-${instance.index}`),
        JWT_SECRET,
        STRIPE_API_BASE: started.stripe!.url,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        HOLD_TTL_SECONDS: String(HOLD_TTL_SECONDS),
        SWEEP_INTERVAL_MS: '1000',
        RATE_LIMIT_MUTATIONS_PER_MINUTE: '1000000',
        IDEMPOTENCY_LEASE_MS: '10000',
        MONGODB_TIMEOUT_MS: '4000',
        SHUTDOWN_TIMEOUT_MS: '3000',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(out, { end: false });
    child.stderr!.pipe(out, { end: false });
    child.once('exit', () => {
      instance.up = false;
      if (instance.child === child) instance.child = undefined;
      out.end();
    });
    instance.child = child;
  };

  const waitListening = async (instance: ApiInstance, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await answers(instance.url, '/healthz'))) {
      if (!instance.child) throw new Error(`API instance ${instance.index} exited during start (log: ${logDir}/api-${instance.index}.log)`);
      if (Date.now() > deadline) throw new Error(`API instance ${instance.index} did not listen within ${timeoutMs} ms`);
      await sleep(100);
    }
    instance.up = true;
  };

  const stopInstance = async (instance: ApiInstance) => {
    const child = instance.child;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const topology: Topology = {
    get replSet() {
      return started.replSet!;
    },
    get stripe() {
      return started.stripe!;
    },
    instances,
    logDir,
    kill(instance) {
      instance.up = false;
      instance.child?.kill('SIGKILL');
    },
    async restart(instance) {
      if (instance.child) {
        const child = instance.child;
        await new Promise((resolve) =>
          child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve),
        );
      }
      spawnApi(instance);
      await waitListening(instance);
    },
    async waitReady(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const ready = await Promise.all(instances.map((i) => answers(i.url, '/readyz')));
        if (ready.every(Boolean)) return;
        if (Date.now() > deadline) throw new Error(`instances not ready within ${timeoutMs} ms: ${ready.map(String).join(', ')}`);
        await sleep(250);
      }
    },
    async stop() {
      await Promise.all(instances.map(stopInstance));
      for (const member of started.replSet?.members ?? []) {
        try {
          member.signal('SIGCONT');
        } catch {
          // already gone
        }
      }
      await started.stripe?.stop().catch(() => undefined);
      await started.replSet?.stop().catch(() => undefined);
    },
  };

  try {
    options.log(`starting a ${options.members}-member replica set and stripe-mock`);
    started.replSet = await startEmbeddedReplSet({ members: options.members, testCommands: true, log: () => {} });
    started.stripe = await startStripeMock({ log: () => {} });
    for (let index = 0; index < options.instances; index += 1) {
      const port = await freePort();
      instances.push({ index, port, url: `http://127.0.0.1:${port}`, up: false });
    }
    instances.forEach(spawnApi);
    await Promise.all(instances.map((instance) => waitListening(instance)));
    options.log(`${instances.length} API instances up (logs in ${logDir})`);
    return topology;
  } catch (error) {
    await topology.stop();
    throw error;
  }
}
