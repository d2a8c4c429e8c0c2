import type { TestApp } from './app';

/** One scrape of `GET /metrics`: each sample by name and labels, e.g. `value('x_total', { outcome: 'new' })`. */
export interface Scrape {
  text: string;
  /** The sample's value, 0 when the series does not exist (yet). */
  value(name: string, labels?: Record<string, string>): number;
  /** Every label set a metric has samples for. */
  series(name: string): Record<string, string>[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export async function scrape(app: Pick<TestApp, 'url'>): Promise<Scrape> {
  const response = await fetch(`${app.url}/metrics`);
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  const text = await response.text();
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map((m) => [m[1], m[2]]));
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  const matches = (actual: Record<string, string>, wanted: Record<string, string>) =>
    Object.keys(actual).length === Object.keys(wanted).length && Object.entries(wanted).every(([k, v]) => actual[k] === v);
  return {
    text,
    value: (name, labels = {}) => samples.find((s) => s.name === name && matches(s.labels, labels))?.value ?? 0,
    series: (name) => samples.filter((s) => s.name === name).map((s) => s.labels),
  };
}

/** How much each sample moved between two scrapes. */
export function delta(before: Scrape, after: Scrape) {
  return (name: string, labels?: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
}
