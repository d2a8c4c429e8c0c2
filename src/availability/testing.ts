/**
 * The availability module's test face: what tests drive below `index.ts`, never imported by src/
 * (lint rule `test-faces-only-for-tests`). The fan-out alone, without a change stream.
 */
export { createFanout } from './fanout';
