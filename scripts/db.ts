import { join } from 'node:path';
import { loadConfig } from '../src/config';
import { startEmbeddedReplSet } from '../src/mongo/embedded';

/**
 * npm run db: the embedded replica set on its own, so several API instances can share it:
 *   MONGODB_URI=<printed uri> PORT=4001 npm start
 * Data lives in DATA_DIR (default .data/db, the same folder `npm start` uses); stops on SIGINT/SIGTERM.
 */
const config = loadConfig();
const dbPath = join(config.dataDir, 'db');
const replSet = await startEmbeddedReplSet({ dbPath, log: (line) => console.error(line) });
console.error(`MongoDB replica set ready (data in ${dbPath}). Start API instances with:`);
console.error(`  MONGODB_URI='${replSet.uri}' PORT=4001 npm start`);
console.log(`MONGODB_URI=${replSet.uri}`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.error(`${signal}: stopping mongod`);
  try {
    await replSet.stop();
    process.exit(0);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
