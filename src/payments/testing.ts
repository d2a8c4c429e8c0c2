/**
 * The payments module's test face: what tests check below `index.ts`, never imported by src/ (lint
 * rule `test-faces-only-for-tests`). When a hold's Checkout Session is asked to expire.
 */
export { sessionExpiresAt } from './checkout';
