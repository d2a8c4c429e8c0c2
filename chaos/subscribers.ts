import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { AVAILABILITY_CHANGED } from '../test/support/subscriptions';
import { postGraphql, tokenFor } from './gql';
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

/**
 * A calendar client as the README tells one to behave: on every (re)connect it subscribes first,
 * then queries `availability`, and keeps per date the answer with the highest version. When its
 * instance dies or ends the subscription it reconnects (to its home instance when that is up, else
 * another) and does both again.
 */
export class Subscriber {
  readonly view = new Map<string, DateView>();
  connects = 0;
  events = 0;
  private client?: Client;
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    readonly name: string,
    private readonly topology: Topology,
    private readonly home: number,
    readonly resourceId: string,
    readonly range: { from: string; to: string },
    /** Test-only: drop incoming events (proves the subscription check can fail). */
    private readonly dropEvent: (n: number) => boolean = () => false,
  ) {}

  merge(update: DateView): void {
    const known = this.view.get(update.date);
    if (!known || update.version > known.version) this.view.set(update.date, { ...update });
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
      this.client.subscribe<{ availabilityChanged: DateView }>(
        { query: AVAILABILITY_CHANGED, variables: { resourceId: this.resourceId, ...this.range } },
        {
          next: (result) => {
            if (!result.data) return;
            this.events += 1;
            if (!this.dropEvent(this.events)) this.merge(result.data.availabilityChanged);
          },
          error: () => ended(),
          complete: () => ended(),
        },
      );
      // Subscribe first, then query: a change committed in between is in one answer or the other.
      await sleep(300);
      if (!(await this.queryInto(target.url, token))) ended();
      await over;
      await this.client.dispose();
      if (!this.stopped) await sleep(500);
    }
  }

  private async queryInto(url: string, token: string): Promise<boolean> {
    for (let attempt = 0; attempt < 20 && !this.stopped; attempt += 1) {
      try {
        const answer = await postGraphql(url, token, AVAILABILITY, { resourceId: this.resourceId, ...this.range });
        if (answer.data && !answer.errors) {
          for (const date of answer.data.availability as DateView[]) this.merge(date);
          return true;
        }
      } catch {
        // instance down or database unavailable: try again
      }
      await sleep(500);
    }
    return false;
  }
}
