import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { AVAILABILITY_UPDATES } from '../test/support/subscriptions';
import { tokenFor } from './gql';
import type { Topology } from './topology';

export const AVAILABILITY = `query($resourceId: ID!, $from: LocalDate!, $to: LocalDate!) {
  availability(resourceId: $resourceId, from: $from, to: $to) { date remaining status version }
}`;

export interface DateView {
  date: string;
  remaining: number;
  status: string;
  version: number;
}

interface AvailabilityUpdate {
  cursor: string;
  reset: boolean;
  dates: DateView[];
}

/** One message as a subscriber received it (the transaction check compares them across subscribers). */
export interface ReceivedMessage {
  cursor: string;
  reset: boolean;
  dates: string[];
}

/**
 * A calendar client as the README tells one to behave with `availabilityUpdates`: a reset replaces
 * its view, an update replaces the dates it names; it keeps the last cursor and, when its instance
 * dies or ends the subscription, reconnects (to its home instance when that is up, else another)
 * with `after` that cursor. It never queries `availability`.
 */
export class Subscriber {
  readonly view = new Map<string, DateView>();
  readonly messages: ReceivedMessage[] = [];
  connects = 0;
  events = 0;
  resets = 0;
  private cursor: string | undefined;
  private client?: Client;
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    readonly name: string,
    private readonly topology: Topology,
    private readonly home: number,
    readonly resourceId: string,
    readonly range: { from: string; to: string },
    /** Test-only: drop incoming messages (proves the subscription check can fail). */
    private readonly dropEvent: (n: number) => boolean = () => false,
    /** Test-only: take each transaction apart, as a per-date feed would (proves the transaction check can fail). */
    private readonly splitTransactions = false,
  ) {}

  apply(update: AvailabilityUpdate): void {
    if (this.splitTransactions && !update.reset && update.dates.length > 1) {
      for (const date of update.dates) this.applyWhole({ ...update, dates: [date] });
      return;
    }
    this.applyWhole(update);
  }

  private applyWhole(update: AvailabilityUpdate): void {
    this.messages.push({ cursor: update.cursor, reset: update.reset, dates: update.dates.map((d) => d.date) });
    if (update.reset) {
      this.resets += 1;
      this.view.clear();
    }
    for (const date of update.dates) this.view.set(date.date, { ...date });
    this.cursor = update.cursor;
  }

  start(): void {
    this.loop = this.followForever();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.dispose();
    await this.loop;
  }

  private async followForever(): Promise<void> {
    const token = await tokenFor(`watcher-${this.name}`);
    while (!this.stopped) {
      const instances = this.topology.instances;
      const target = instances[this.home].up ? instances[this.home] : (instances.find((i) => i.up) ?? instances[this.home]);
      let ended!: () => void;
      const over = new Promise<void>((resolve) => (ended = resolve));
      this.client = createClient({
        url: `${target.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => ended(),
        on: { closed: () => ended() },
      });
      this.connects += 1;
      this.client.subscribe<{ availabilityUpdates: AvailabilityUpdate }>(
        { query: AVAILABILITY_UPDATES, variables: { resourceId: this.resourceId, ...this.range, after: this.cursor ?? null } },
        {
          next: (result) => {
            if (!result.data) return;
            this.events += 1;
            if (!this.dropEvent(this.events)) this.apply(result.data.availabilityUpdates);
          },
          error: () => ended(),
          complete: () => ended(),
        },
      );
      await over;
      await this.client.dispose();
      if (!this.stopped) await sleep(500);
    }
  }
}
