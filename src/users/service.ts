import type { ClientSession, Collection, Document, MongoClient } from 'mongodb';
import { assert } from '../assert';
import { type Caller, MAX_USER_ID_LENGTH, type Role, isUserId } from '../auth';
import type { Clock } from '../clock';
import { DomainError, badInput } from '../errors';
import { readsById, withTransaction } from '../mongo';
import type { UserDoc, UserView } from './collection';

function suspendedError(): DomainError {
  return new DomainError('FORBIDDEN', 'This account is suspended');
}

export function userService(users: Collection<UserDoc>, client: MongoClient, clock: Clock) {
  const readUser = readsById(users);
  /**
   * The admin check and the admin action share one transaction, and the check WRITES the caller's
   * user document. A concurrent revocation also writes that document, so the two conflict and
   * cannot both commit: an action never commits after the revocation that forbids it did.
   */
  async function authorizeAdmin(session: ClientSession, callerId: string): Promise<void> {
    const authorized = await users.findOneAndUpdate(
      { _id: callerId, role: 'admin', suspended: false },
      { $inc: { version: 1 } },
      { session, projection: { _id: 1 } },
    );
    if (!authorized) throw new DomainError('FORBIDDEN', 'This operation needs the admin role');
  }

  async function changeTarget(caller: Caller, userId: string, change: Partial<Pick<UserDoc, 'role' | 'suspended'>>): Promise<UserView> {
    if (!isUserId(userId)) throw badInput('userId', `must be 1 to ${MAX_USER_ID_LENGTH} printable characters`);
    return withTransaction(client, async (session) => {
      await authorizeAdmin(session, caller.id);
      const now = clock.now();
      const updated = await users.findOneAndUpdate(
        { _id: userId },
        { $set: { ...change, updatedAt: now }, $inc: { version: 1 }, $setOnInsert: { createdAt: now, ...insertDefaults(change) } },
        { session, upsert: true, returnDocument: 'after' },
      );
      assert(updated, `an upsert of user ${userId} returns the user`);
      return view(updated);
    });
  }

  return {
    authorizeAdmin,
    /**
     * The refusal of a suspended user's action. Nothing reads the suspension for it alone: holds
     * check the caller as read for the request (see holds.ts), withdrawals and transfers read it
     * with their accounts (`suspendedLookup`).
     */
    suspendedError,
    /**
     * The suspension folded into another module's read: aggregation stages that set `as` to true on
     * each document whose user (named by `localField`) is suspended. Run in the action's transaction,
     * they read the users on the same snapshot as the documents, in the same round trip.
     */
    suspendedLookup: (localField: string, as: string): Document[] => [
      {
        $lookup: {
          from: users.collectionName,
          localField,
          foreignField: '_id',
          pipeline: [{ $match: { suspended: true } }, { $project: { _id: 1 } }],
          as,
        },
      },
      { $set: { [as]: { $gt: [{ $size: `$${as}` }, 0] } } },
    ],

    /** The caller as the database knows them, creating the user from the token on first sight. */
    async recognise(token: Caller): Promise<UserView> {
      // A read on the hot path (shared by the requests of one event-loop turn); the upsert (a write) only the first time a user is seen.
      const known = await readUser(token.id);
      if (known) return view(known);
      const now = clock.now();
      const user = await users.findOneAndUpdate(
        { _id: token.id },
        { $setOnInsert: { role: token.role, suspended: false, version: 0, createdAt: now, updatedAt: now } },
        { upsert: true, returnDocument: 'after' },
      );
      assert(user, `an upsert of user ${token.id} returns the user`);
      return view(user);
    },

    setRole: (caller: Caller, userId: string, role: Role) => changeTarget(caller, userId, { role }),
    suspend: (caller: Caller, userId: string) => changeTarget(caller, userId, { suspended: true }),
  };
}

function view(user: UserDoc): UserView {
  return { id: user._id, role: user.role, suspended: user.suspended };
}

/** A user first seen through an admin action gets the fields that action does not set. */
function insertDefaults(change: Partial<Pick<UserDoc, 'role' | 'suspended'>>): Partial<UserDoc> {
  return { ...(change.role ? {} : { role: 'user' as const }), ...(change.suspended !== undefined ? {} : { suspended: false }) };
}

export type UserService = ReturnType<typeof userService>;
