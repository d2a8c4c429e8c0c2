import type { PhaseResult } from './load';
import { readProcessUsage } from './proc';
import { summarize } from './stats';

/** One line of the table every bench prints: `work | raw | via GraphQL | ratio | p99`. */
export interface Row {
  work: string;
  raw: string;
  graphql: string;
  ratio: string;
  p99: string;
}

export const format = {
  rate: (perSecond: number) => `${Math.round(perSecond).toLocaleString('en-US')}/s`,
  ms: (ms: number) => (ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`),
  mb: (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`,
  ratio: (x: number) => x.toFixed(2),
};

/** Throughput: raw and GraphQL operations per second, ratio = GraphQL / raw (`baseline` names raw), p99 raw → GraphQL. */
export function throughputRow(work: string, raw: PhaseResult, graphql: PhaseResult, baseline = 'raw'): Row {
  return {
    work,
    raw: format.rate(raw.rate),
    graphql: format.rate(graphql.rate),
    ratio: `${format.ratio(graphql.rate / raw.rate)} of ${baseline}`,
    p99: `${format.ms(summarize(raw.latencies).p99)} → ${format.ms(summarize(graphql.latencies).p99)}`,
  };
}

/**
 * Latency under contention: p50 raw and GraphQL, ratio = GraphQL / raw at `at` (p50 unless told;
 * `baseline` names raw), p99 raw → GraphQL.
 */
export function latencyRow(
  work: string,
  raw: ArrayLike<number>,
  graphql: ArrayLike<number>,
  { baseline = 'raw', at = 'p50' }: { baseline?: string; at?: 'p50' | 'p99' } = {},
): Row {
  const r = summarize(raw);
  const g = summarize(graphql);
  return {
    work,
    raw: `p50 ${format.ms(r.p50)}`,
    graphql: `p50 ${format.ms(g.p50)}`,
    ratio: `${format.ratio(g[at] / r[at])}× ${baseline} ${at}`,
    p99: `${format.ms(r.p99)} → ${format.ms(g.p99)}`,
  };
}

/** The table; `raw` and `graphql` rename those two columns (and the p99 column's header with them). */
export function printTable(
  title: string,
  rows: Row[],
  { raw = 'raw', graphql = 'via GraphQL', print = console.log }: { raw?: string; graphql?: string; print?: (line: string) => void } = {},
): void {
  const header: Row = { work: 'work', raw, graphql, ratio: 'ratio', p99: `p99 ${raw} → ${graphql.replace(/^via /, '')}` };
  const keys = Object.keys(header) as (keyof Row)[];
  const widths = keys.map((key) => Math.max(...[header, ...rows].map((row) => row[key].length)));
  const line = (row: Row) => keys.map((key, i) => row[key].padEnd(widths[i])).join(' | ');
  if (title) print(title);
  print(line(header));
  print(widths.map((width) => '-'.repeat(width)).join('-|-'));
  for (const row of rows) print(line(row));
}

/** `API cpu 812 ms (0.27 ms/op), mongod cpu 1,020 ms (0.34 ms/op), load cpu …` for one phase. */
export function usageLine(label: string, result: PhaseResult): string {
  const parts = Object.entries(result.usage).map(
    ([name, usage]) =>
      `${name} ${Math.round(usage.cpuMs).toLocaleString('en-US')} ms cpu (${(usage.cpuMs / result.total).toFixed(2)} ms/op)`,
  );
  return `  ${label.padEnd(38)} ${(result.seconds.toFixed(2) + ' s').padStart(8)}  ${parts.join(', ')}`;
}

/** RSS, peak RSS and CPU time since start of one process (the API), read from /proc. */
export function processLine(label: string, pid: number): string {
  const usage = readProcessUsage(pid);
  if (!usage) return `${label} (pid ${pid}): gone`;
  return (
    `${label} (pid ${pid}): RSS ${format.mb(usage.rssBytes)} (peak ${format.mb(usage.peakRssBytes)}), ` +
    `CPU ${((usage.cpuUserMs + usage.cpuSystemMs) / 1000).toFixed(1)} s since start (user ${(usage.cpuUserMs / 1000).toFixed(1)} s, system ${(usage.cpuSystemMs / 1000).toFixed(1)} s)`
  );
}

/** The end of every bench: its checks' verdict, exit code 1 when any failed. */
export function reportChecks(problems: string[]): void {
  if (problems.length > 0) {
    console.error(`\nFAILED:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log('checks: passed');
  }
}
