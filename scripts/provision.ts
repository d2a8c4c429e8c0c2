import { resolveMongodBinary } from '../src/mongo/binary';
import { resolveStripeMockBinary } from '../src/payments/stripeMock';

/** Makes sure a mongod and a stripe-mock are available before tests run (idempotent; fast when cached). */
resolveMongodBinary();
resolveStripeMockBinary();
