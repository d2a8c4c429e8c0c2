import { resolveMongodBinary } from '../src/mongo/binary';

/** Makes sure a mongod is available before tests run (idempotent; fast when cached). */
resolveMongodBinary();
