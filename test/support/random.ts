/** The chaos run's seeded generator (mulberry32), so a failing randomized test replays from its seed. */
export { type Random, seededRandom as random } from '../../chaos/random';

/** The seed from `variable` in the environment if set, else a fresh random one. */
export function seedFrom(variable: string): number {
  const given = process.env[variable];
  return given !== undefined && given !== '' ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}
