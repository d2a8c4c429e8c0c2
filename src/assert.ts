/**
 * A broken invariant: a bug, never an expected outcome. It is logged in full and answered
 * `INTERNAL_SERVER_ERROR` on every transport, like any error nobody expected (src/errorResponse.ts).
 */
export class AssertionFailed extends Error {
  override readonly name = 'AssertionFailed';
}

/** States what the code relies on (TIGER_STYLE): fails loudly instead of going on with a wrong value. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailed(message);
}
