import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs `npm run chaos` as its own process (it starts its own replica set, stripe-mock and API instances). */
function chaos(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'chaos/run.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** A fixed seed (the same faults every run, so a regression shows the same way) and a random one (printed). */
const SEEDS = [20261125, Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31))];

describe('npm run chaos', () => {
  it.each(SEEDS)('keeps every invariant under crashes, failovers and failpoints (seed %i)', { timeout: 130_000 }, async (seed) => {
    const { code, output } = await chaos(['--seed', String(seed), '--duration', '20s']);
    console.log(
      output
        .split('\n')
        .filter((line) => !line.startsWith('[chaos'))
        .join('\n'),
    );
    expect(output).toMatch(/violations: 0/);
    expect(code).toBe(0);
  });

  it('reports a withdrawal applied twice when it is put there on purpose', { timeout: 60_000 }, async () => {
    const { code, output } = await chaos(['--seed', '7', '--duration', '4s', '--no-faults', '--break', 'ledger']);
    expect(output).toMatch(/withdraw #\d+ .* took effect 2 times/);
    expect(code).toBe(1);
  });

  it('reports an expired authorization that still counts when it is put there on purpose', { timeout: 60_000 }, async () => {
    const { code, output } = await chaos(['--seed', '7', '--duration', '6s', '--no-faults', '--break', 'expired-authorization']);
    expect(output).toMatch(/ledgerCheck: account \w+ reserves \d+ != its live authorizations \d+/);
    expect(code).toBe(1);
  });

  it('reports a transaction seen in parts when a subscriber takes it apart on purpose', { timeout: 60_000 }, async () => {
    const { code, output } = await chaos(['--seed', '7', '--duration', '6s', '--no-faults', '--break', 'split-transaction']);
    expect(output).toMatch(/got cursor \w+ after \w+: a repeated or out-of-order commit/);
    expect(code).toBe(1);
  });
});
