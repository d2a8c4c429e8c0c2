import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readProcessUsage } from '../support';
import type { FromFloor, FromSubscribers, ToFloor, ToSubscribers } from './protocol';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

/** Spawned through `sh` to raise the open-files limit to the hard limit first (N sockets need N descriptors). */
function spawnRaised(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const quoted = [process.execPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return spawn('/bin/sh', ['-c', `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${quoted}`], {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The soft and hard open-files limits of a process (each socket is a descriptor). */
export function openFilesLimit(pid: number): { soft: number; hard: string } {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = line?.split(/\s+/).slice(3, 5) ?? ['0', '?'];
  return { soft: soft === 'unlimited' ? Infinity : Number(soft), hard };
}

/** CPU seconds (user + system, and system alone) and RSS in MiB of a process, from /proc. */
export function usage(pid: number): { cpuS: number; systemS: number; rssMb: number } {
  const now = readProcessUsage(pid);
  if (!now) throw new Error(`process ${pid} is gone`);
  return { cpuS: (now.cpuUserMs + now.cpuSystemMs) / 1000, systemS: now.cpuSystemMs / 1000, rssMb: now.rssBytes / 2 ** 20 };
}

/** A child process of the bench (bench/fanout/child.ts) that answers each question with one message. */
class Child<To, From extends { type: string }> {
  readonly process: ChildProcess;
  private readonly pending = new Map<string, (message: From) => void>();

  constructor(
    role: string,
    private readonly replyKey: (message: From) => string,
  ) {
    // FANOUT_PROFILE profiles the floor's server too, to compare with the API's.
    const profile =
      role !== 'subscribers' && process.env.FANOUT_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.FANOUT_PROFILE}/${role}`] : [];
    this.process = spawnRaised([...profile, '--import', 'tsx', CHILD], { ...process.env, FANOUT_ROLE: role });
    this.process.on('message', (message: From) => {
      const key = this.replyKey(message);
      this.pending.get(key)?.(message);
      this.pending.delete(key);
    });
  }

  get pid(): number {
    return this.process.pid!;
  }

  /** Sends `message` (if any) and waits for the reply keyed `reply`. */
  ask<T extends From>(message: To | undefined, reply: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`process ${this.process.pid}: no ${reply} within ${timeoutMs} ms`)), timeoutMs);
      this.pending.set(reply, (answer) => {
        clearTimeout(timer);
        resolve(answer as T);
      });
      if (message !== undefined) this.process.send(message as object);
    });
  }

  /** Asks it to end (`farewell`, or a disconnect), SIGKILL after 10 s. */
  async close(farewell?: To): Promise<void> {
    if (this.process.exitCode !== null || !this.process.connected) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    if (farewell !== undefined) this.process.send(farewell as object);
    else this.process.disconnect();
    const killer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  }
}

/** A client process: N sockets to one server. */
export class SubscriberProcess extends Child<ToSubscribers, FromSubscribers> {
  constructor() {
    super('subscribers', (message) => (message.type === 'arrived' ? `arrived:${message.key}` : message.type));
  }
}

export type FloorProcess = Child<ToFloor, FromFloor>;

/** A floor's server (`floor`: bare `ws`; `graphql-ws`: stock graphql-ws), in its own process like the API, once it listens. */
export async function startFloor(role: 'floor' | 'graphql-ws'): Promise<{ floor: FloorProcess; url: string }> {
  const floor = new Child<ToFloor, FromFloor>(role, (message) => (message.type === 'written' ? `written:${message.key}` : message.type));
  const { port } = await floor.ask<Extract<FromFloor, { type: 'listening' }>>(undefined, 'listening', 30_000);
  return { floor, url: `ws://127.0.0.1:${port}` };
}
