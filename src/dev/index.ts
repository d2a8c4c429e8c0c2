/**
 * Development and test tooling: provisions and runs an embedded mongod replica set and stripe-mock.
 * Not runtime code: the server loads it lazily (`await import('./dev')`) only when no `MONGODB_URI`
 * or Stripe key is given, so a production install never touches it.
 */
export { type EmbeddedMember, type EmbeddedReplSet, freePort, startEmbeddedReplSet } from './embeddedReplSet';
export { PROVISIONED_MONGOD_VERSION, resolveMongodBinary } from './mongodBinary';
export { cacheDir, installIntoCache } from './provisionCache';
export { type RunningStripeMock, resolveStripeMockBinary, startStripeMock, STRIPE_MOCK_VERSION } from './stripeMock';
