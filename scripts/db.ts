import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { startEmbeddedReplSet } from '../src/dev';

/**
 * npm run db [-- --members 3]: the embedded replica set on its own, so several API instances can share it:
 *   MONGODB_URI=<printed uri> PORT=4001 npm start
 * One member keeps its data in DATA_DIR/db (the folder `npm start` uses); N members in DATA_DIR/db-N,
 * one folder each, so a set of three never picks up the single member's config. Stops on SIGINT/SIGTERM.
 */
const { values } = parseArgs({ options: { members: { type: 'string', short: 'm', default: '1' } } });
const members = Number(values.members);
if (!Number.isSafeInteger(members) || members < 1 || members > 7) {
  console.error(`--members must be a whole number from 1 to 7, got "${values.members}"`);
  process.exit(2);
}
const config = loadConfig();
const dbPath = join(config.dataDir, members === 1 ? 'db' : `db-${members}`);
const replSet = await startEmbeddedReplSet({ dbPath, members, log: (line) => console.error(line) });
console.error(`MongoDB replica set of ${members} ready (data in ${dbPath}). Start API instances with:`);
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
