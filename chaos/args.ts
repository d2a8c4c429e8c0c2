export const BREAKS = ['ledger', 'capacity', 'subscription', 'split-transaction', 'expired-authorization'] as const;
export type BreakName = (typeof BREAKS)[number];

export interface ChaosOptions {
  seed: number;
  durationMs: number;
  members: number;
  instances: number;
  /** Corrupt the database behind the API's back before checking, to prove the checker notices. */
  breakName?: BreakName;
  /** Skip fault injection (a baseline run). */
  faults: boolean;
}

const USAGE =
  'usage: npm run chaos -- [--seed N] [--duration 60s] [--members 3] [--instances 2] [--break ledger|capacity|subscription] [--no-faults]';

function duration(raw: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(raw);
  if (!match) throw new Error(`--duration takes e.g. 60s, 10m or 5000ms, got "${raw}"\n${USAGE}`);
  const unit = match[2] ?? 's';
  return Number(match[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000);
}

function count(raw: string, flag: string, min: number): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${flag} takes an integer >= ${min}, got "${raw}"\n${USAGE}`);
  return value;
}

export function parseArgs(argv: string[]): ChaosOptions {
  const options: ChaosOptions = {
    seed: Math.floor(Math.random() * 2 ** 31),
    durationMs: 60_000,
    members: 3,
    instances: 2,
    faults: true,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return next;
    };
    if (flag === '--seed') options.seed = count(value(), flag, 0);
    else if (flag === '--duration') options.durationMs = duration(value());
    else if (flag === '--members') options.members = count(value(), flag, 1);
    else if (flag === '--instances') options.instances = count(value(), flag, 1);
    else if (flag === '--no-faults') options.faults = false;
    else if (flag === '--break') {
      const name = value();
      if (!(BREAKS as readonly string[]).includes(name)) throw new Error(`--break takes one of ${BREAKS.join(', ')}\n${USAGE}`);
      options.breakName = name as BreakName;
    } else throw new Error(`unknown flag ${flag}\n${USAGE}`);
  }
  return options;
}
