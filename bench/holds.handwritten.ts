import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { jwtVerify } from 'jose';
import { MongoClient, ObjectId } from 'mongodb';
import { isDuplicateKey } from '../src/mongo';
import { claimUpdate, HOLD_TRANSACTION } from './holds.claim';

/**
 * The baseline `npm run bench:holds` sets against `holdDates`: the endpoint a user would write
 * instead of our API, with `node:http`, jose and the driver, in a process of its own (started like
 * the API, with its environment: PORT, MONGODB_URI, MONGODB_DB, JWT_SECRET).
 *
 *   POST /holds {resourceId, dates: [date], idempotencyKey}, Authorization: Bearer <token>
 *   → 200 {held: true | false}; 400 bad input, 401 bad token, 403 suspended user.
 *
 * Per request: the HS256 token verified, the user document read (none = an active user), then ONE
 * transaction (snapshot reads, majority commit, `withTransaction`'s retries of write conflicts): the
 * conditional claim of the date (the API's filter), the hold, and the idempotency key with its
 * result under a unique index; a key already used answers its stored result.
 */
type Held = { held: boolean };

const secret = new TextEncoder().encode(process.env.JWT_SECRET);
const client = await new MongoClient(process.env.MONGODB_URI!).connect();
const db = client.db(process.env.MONGODB_DB);
const users = db.collection<{ _id: string; suspended?: boolean }>('users');
const slots = db.collection('dateSlots');
const holds = db.collection('handwrittenHolds');
const keys = db.collection<{ scope: string; key: string; result: Held; createdAt: Date }>('handwrittenKeys');
await keys.createIndex({ scope: 1, key: 1 }, { unique: true });

async function holdDate(userId: string, resourceId: ObjectId, date: string, key: string): Promise<Held> {
  const scope = `${userId}:hold`;
  try {
    return await client.withSession((session) =>
      session.withTransaction(async () => {
        const now = new Date();
        const { filter, update, hold } = claimUpdate(resourceId, date, new ObjectId(), now, userId);
        const claimed = await slots.findOneAndUpdate(filter, update, { session, projection: { _id: 1 } });
        if (claimed) await holds.insertOne(hold, { session });
        const result = { held: claimed !== null };
        await keys.insertOne({ scope, key, result, createdAt: now }, { session });
        return result;
      }, HOLD_TRANSACTION),
    );
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const stored = await keys.findOne({ scope, key });
    if (!stored) throw error;
    return stored.result;
  }
}

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The token's subject, or undefined for a missing, forged or expired token. */
async function callerId(authorization: string | undefined): Promise<string | undefined> {
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  if (!token) return undefined;
  try {
    return (await jwtVerify(token, secret, { algorithms: ['HS256'] })).payload.sub;
  } catch {
    return undefined;
  }
}

function isHoldInput(body: any): body is { resourceId: string; dates: [string]; idempotencyKey: string } {
  const { resourceId, dates, idempotencyKey } = body ?? {};
  const oneDate = Array.isArray(dates) && dates.length === 1 && typeof dates[0] === 'string';
  return typeof resourceId === 'string' && ObjectId.isValid(resourceId) && oneDate && typeof idempotencyKey === 'string';
}

async function handle(req: IncomingMessage): Promise<[number, object]> {
  if (req.method === 'GET' && req.url === '/readyz') return [200, { ready: true }];
  if (req.method !== 'POST' || req.url !== '/holds') return [404, { error: 'not found' }];
  const body = await readJson(req);
  const userId = await callerId(req.headers.authorization);
  if (!userId) return [401, { error: 'unauthenticated' }];
  if (!isHoldInput(body)) return [400, { error: 'expected {resourceId, dates: [date], idempotencyKey}' }];
  const user = await users.findOne({ _id: userId }, { projection: { suspended: 1 } });
  if (user?.suspended === true) return [403, { error: 'suspended' }];
  return [200, await holdDate(userId, new ObjectId(body.resourceId), body.dates[0], body.idempotencyKey)];
}

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  handle(req).then(
    ([status, body]) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
    (error: unknown) => {
      console.error(error);
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
    },
  );
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void client.close().finally(() => process.exit(0)));
});
