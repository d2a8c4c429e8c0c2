import type { FromSubscribers, SocketMode } from './protocol';
import { SubscriberProcess } from './processes';

const SETUP_TIMEOUT_MS = 180_000;

type Totals = Extract<FromSubscribers, { type: 'totals' }>;

/**
 * The subscribers of one run, spread over client processes, each process connected to one of the
 * servers (client i to server i mod servers): what the rounds ask of all of them at once.
 */
export class Crowd {
  readonly clients: SubscriberProcess[];
  /** How many subscribers each client process holds. */
  readonly shares: number[];

  constructor(
    readonly size: number,
    processes: number,
  ) {
    this.clients = Array.from({ length: Math.min(processes, size) }, () => new SubscriberProcess());
    const n = this.clients.length;
    this.shares = this.clients.map((_, i) => Math.floor(size / n) + (i < size % n ? 1 : 0));
  }

  /** Which server client process `i` talks to. */
  serverOf = (i: number, servers: number): number => i % servers;

  /** Subscribers per server. */
  perServer(servers: number): number[] {
    const counts = new Array<number>(servers).fill(0);
    this.shares.forEach((share, i) => (counts[this.serverOf(i, servers)] += share));
    return counts;
  }

  async connect(mode: SocketMode, urls: string[], tokens: string[], query: string, variables: Record<string, string>): Promise<void> {
    const ups = await Promise.all(
      this.clients.map((client, i) => {
        const first = this.shares.slice(0, i).reduce((a, b) => a + b, 0);
        const url = urls[this.serverOf(i, urls.length)];
        return client.ask<Extract<FromSubscribers, { type: 'up' }>>(
          { type: 'connect', mode, url, tokens, first, query, variables, count: this.shares[i] },
          'up',
          SETUP_TIMEOUT_MS,
        );
      }),
    );
    const failed = ups.flatMap((up) => up.failed);
    if (failed.length > 0) throw new Error(`subscribers could not connect: ${failed.join('; ')}`);
  }

  /** Each client process's arrival times of `key` (once every subscriber has it, or at the timeout), and the frame's size. */
  async arrivals(key: string, timeoutMs: number): Promise<{ times: number[][]; frameBytes: number }> {
    const answers = await Promise.all(
      this.clients.map((client) =>
        client.ask<Extract<FromSubscribers, { type: 'arrived' }>>({ type: 'await', key, timeoutMs }, `arrived:${key}`, timeoutMs + 5_000),
      ),
    );
    return { times: answers.map((a) => a.times), frameBytes: Math.max(...answers.map((a) => a.frameBytes)) };
  }

  totals(expected: string[], probes: string[]): Promise<Totals[]> {
    return Promise.all(this.clients.map((client) => client.ask<Totals>({ type: 'totals', expected, probes }, 'totals', 30_000)));
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.ask({ type: 'disconnect' }, 'disconnected', 30_000)));
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close({ type: 'close' }).catch(() => client.process.kill('SIGKILL'))));
  }
}

export type { Totals };
