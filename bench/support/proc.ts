import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What /proc says about one process: CPU time so far (all its threads) and resident memory. */
export interface ProcessUsage {
  pid: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  rssBytes: number;
  /** VmHWM: the highest RSS the process has had. */
  peakRssBytes: number;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Reads /proc/<pid>/stat (utime, stime) and /proc/<pid>/status (VmRSS, VmHWM); undefined once the process is gone. */
export function readProcessUsage(pid: number): ProcessUsage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields from the last ')'.
    // After it, index 0 is field 3 (state), so utime (field 14) is index 11 and stime (15) index 12.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const msPerTick = 1000 / ticksPerSecond();
    const kB = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return {
      pid,
      cpuUserMs: Number(fields[11]) * msPerTick,
      cpuSystemMs: Number(fields[12]) * msPerTick,
      rssBytes: kB('VmRSS'),
      peakRssBytes: kB('VmHWM'),
    };
  } catch {
    return undefined;
  }
}

/** Named groups of processes (e.g. `{ api: [pid], mongod: [pid], load: [pid, pid] }`). */
export type ProcessGroups = Record<string, number[]>;

/** CPU time (user + system, ms) and RSS (bytes, summed over the group's processes) per group. */
export interface GroupUsage {
  cpuMs: number;
  rssBytes: number;
  peakRssBytes: number;
}

export type UsageSnapshot = Record<string, GroupUsage>;

export function snapshotUsage(groups: ProcessGroups): UsageSnapshot {
  const snapshot: UsageSnapshot = {};
  for (const [name, pids] of Object.entries(groups)) {
    const usage: GroupUsage = { cpuMs: 0, rssBytes: 0, peakRssBytes: 0 };
    for (const pid of pids) {
      const one = readProcessUsage(pid);
      if (!one) continue;
      usage.cpuMs += one.cpuUserMs + one.cpuSystemMs;
      usage.rssBytes += one.rssBytes;
      usage.peakRssBytes += one.peakRssBytes;
    }
    snapshot[name] = usage;
  }
  return snapshot;
}

/** CPU spent by each group between two snapshots (ms); RSS as of `after`. */
export function usageBetween(before: UsageSnapshot, after: UsageSnapshot): UsageSnapshot {
  return Object.fromEntries(
    Object.entries(after).map(([name, usage]) => [name, { ...usage, cpuMs: usage.cpuMs - (before[name]?.cpuMs ?? 0) }]),
  );
}
