import { parseArgs } from 'node:util';

/**
 * `--name value` options that are whole numbers ≥ 1, each with its default (a string, as an
 * environment variable would give it). Throws on anything else, naming the value.
 */
export function wholeNumberOptions<K extends string>(defaults: Record<K, string>): Record<K, number> {
  const options = Object.fromEntries(Object.entries(defaults).map(([name, value]) => [name, { type: 'string', default: value }]));
  const { values } = parseArgs({ options: options as never });
  return Object.fromEntries(
    Object.keys(defaults).map((name) => {
      const value = (values as Record<string, string>)[name];
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name}: expected a whole number ≥ 1, got "${value}"`);
      return [name, n];
    }),
  ) as Record<K, number>;
}
