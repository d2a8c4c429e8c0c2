/**
 * The mongo module's test face: what tests drive below `index.ts`, never imported by src/ (lint
 * rule `test-faces-only-for-tests`). The group-commit queue alone, without a database.
 */
export { type Lane, lockKeyQueue, type Queued } from './groupCommit/queue';
