import { setTimeout as sleep } from 'node:timers/promises';
import { type Document, MongoClient } from 'mongodb';
import type { Random } from './random';
import type { Topology } from './topology';

export type FaultKind =
  'kill-api' | 'step-down' | 'freeze-mongod' | 'fail-commit' | 'fail-commit-wce' | 'write-conflict' | 'close-connection';

export interface Fault {
  atMs: number;
  kind: FaultKind;
  /** API instance or replica-set member index, where it applies. */
  target: number;
  /** Pause or downtime in ms, or failpoint `times`. */
  amount: number;
}

export interface FaultLog {
  fault: Fault;
  startedAt: number;
  endedAt: number;
  note?: string;
}

const KINDS: FaultKind[] = [
  'kill-api',
  'step-down',
  'freeze-mongod',
  'fail-commit',
  'fail-commit-wce',
  'write-conflict',
  'close-connection',
];

/** The whole schedule, drawn from the seed before the run starts: the same seed gives the same faults at the same offsets. */
export function faultSchedule(random: Random, durationMs: number, members: number, instances: number, kinds = KINDS): Fault[] {
  const faults: Fault[] = [];
  for (let at = random.between(2000, 4000); at < durationMs - 3000 && faults.length < 500; at += random.between(2500, 6000)) {
    const kind = random.pick(kinds);
    const target = kind === 'kill-api' ? random.int(instances) : random.int(members);
    const amount =
      kind === 'kill-api'
        ? Math.round(random.between(500, 3000))
        : kind === 'freeze-mongod'
          ? Math.round(random.between(2000, 5000))
          : 1 + random.int(5);
    faults.push({ atMs: Math.round(at), kind, target, amount });
  }
  return faults;
}

/** Failpoint data for each failCommand fault kind (MongoDB's `failCommand`, enabled by enableTestCommands). */
function failpointData(kind: FaultKind): Document {
  switch (kind) {
    case 'fail-commit':
      return { failCommands: ['commitTransaction'], errorCode: 91 };
    case 'fail-commit-wce':
      return { failCommands: ['commitTransaction'], writeConcernError: { code: 91, errmsg: 'chaos: shutdown in progress' } };
    case 'write-conflict':
      return { failCommands: ['findAndModify'], errorCode: 112 };
    default:
      return { failCommands: ['insert', 'update', 'findAndModify', 'find', 'commitTransaction'], closeConnection: true };
  }
}

/**
 * Runs the schedule one fault at a time against the topology; each fault undoes itself (thaws the
 * mongod, restarts the instance) before the next, and `heal()` undoes anything left at the end.
 */
export class FaultInjector {
  readonly log: FaultLog[] = [];
  private readonly direct = new Map<string, MongoClient>();

  constructor(private readonly topology: Topology) {}

  private member(host: string): MongoClient {
    if (!this.direct.has(host)) {
      this.direct.set(
        host,
        new MongoClient(`mongodb://${host}/?directConnection=true`, {
          serverSelectionTimeoutMS: 2000,
          connectTimeoutMS: 2000,
          socketTimeoutMS: 5000,
        }),
      );
    }
    return this.direct.get(host)!;
  }

  /** The member that calls itself primary right now, if any answers. */
  async primary(): Promise<string | undefined> {
    for (const { host } of this.topology.replSet.members) {
      const hello = await this.member(host)
        .db('admin')
        .command({ hello: 1 })
        .catch(() => undefined);
      if (hello?.isWritablePrimary) return host;
    }
    return undefined;
  }

  async run(schedule: Fault[], startedAt: number, stopAt: number): Promise<void> {
    for (const fault of schedule) {
      const wait = startedAt + fault.atMs - Date.now();
      if (wait > 0) await sleep(wait);
      if (Date.now() >= stopAt) break;
      const entry: FaultLog = { fault, startedAt: Date.now(), endedAt: 0 };
      this.log.push(entry);
      try {
        entry.note = await this.inject(fault);
      } catch (error) {
        entry.note = `failed: ${(error as Error).message}`;
      }
      entry.endedAt = Date.now();
    }
  }

  private async inject(fault: Fault): Promise<string> {
    const { topology } = this;
    switch (fault.kind) {
      case 'kill-api': {
        const instance = topology.instances[fault.target];
        topology.kill(instance);
        await sleep(fault.amount);
        await topology.restart(instance);
        return `instance ${instance.index} SIGKILLed, restarted after ${fault.amount} ms`;
      }
      case 'step-down': {
        const host = await this.primary();
        if (!host) return 'no primary to step down';
        await this.member(host)
          .db('admin')
          .command({ replSetStepDown: 5, secondaryCatchUpPeriodSecs: 2, force: true })
          .catch(() => undefined);
        return `stepped down ${host}`;
      }
      case 'freeze-mongod': {
        const member = topology.replSet.members[fault.target];
        const wasPrimary = (await this.primary()) === member.host;
        member.signal('SIGSTOP');
        try {
          await sleep(fault.amount);
        } finally {
          member.signal('SIGCONT');
        }
        return `froze ${member.host}${wasPrimary ? ' (primary)' : ''} for ${fault.amount} ms`;
      }
      default: {
        const host = await this.primary();
        if (!host) return 'no primary for the failpoint';
        await this.member(host)
          .db('admin')
          .command({ configureFailPoint: 'failCommand', mode: { times: fault.amount }, data: failpointData(fault.kind) });
        return `failCommand ${fault.kind} x${fault.amount} on ${host}`;
      }
    }
  }

  /** Thaws every mongod, turns failpoints off, restarts any instance that is down. */
  async heal(): Promise<void> {
    for (const member of this.topology.replSet.members) member.signal('SIGCONT');
    for (const { host } of this.topology.replSet.members) {
      await this.member(host)
        .db('admin')
        .command({ configureFailPoint: 'failCommand', mode: 'off' })
        .catch(() => undefined);
    }
    for (const instance of this.topology.instances) if (!instance.child) await this.topology.restart(instance);
  }

  async close(): Promise<void> {
    await Promise.all([...this.direct.values()].map((client) => client.close().catch(() => undefined)));
  }

  countsByKind(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { fault } of this.log) counts[fault.kind] = (counts[fault.kind] ?? 0) + 1;
    return counts;
  }
}
