import { resolveMongodBinary } from '../src/dev';
import { resolveStripeMockBinary } from '../src/dev';

/** Makes sure a mongod and a stripe-mock are available before tests run (idempotent; fast when cached). */
resolveMongodBinary();
resolveStripeMockBinary();
