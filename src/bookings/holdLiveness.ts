import type { HoldDocument } from './collections';

/**
 * The one rule of a hold's life (G2): it keeps its dates while it is `held` and `expiresAt` has not
 * passed. Expiry is this comparison, made where it matters, never a timer: the sweeper only tidies
 * up. Its dates' claims follow the same instant by construction (a claim carries the hold's
 * `expiresAt`, capacity/claimRule.ts).
 */
export const isHoldLive = (hold: Pick<HoldDocument, 'state' | 'expiresAt'>, now: Date): boolean =>
  hold.state === 'held' && hold.expiresAt > now;

/** The same rule as a filter, for a conditional update that must only touch a live hold. */
export const liveHoldFilter = (now: Date) => ({ state: 'held' as const, expiresAt: { $gt: now } });

/** Its negation among held holds: lapsed, not yet swept. */
export const lapsedHoldFilter = (now: Date) => ({ state: 'held' as const, expiresAt: { $lte: now } });
