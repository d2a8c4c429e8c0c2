/** Calendar dates are 'YYYY-MM-DD' strings on the UTC calendar; they sort and compare as text. */
const DAY_MS = 86_400_000;

export function todayUtc(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Number of days from `from` to `to`, both inclusive. */
export function daysInclusive(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

export function eachDate(from: string, to: string): string[] {
  const count = daysInclusive(from, to);
  return Array.from({ length: Math.max(count, 0) }, (_, i) => addDays(from, i));
}
