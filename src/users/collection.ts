import type { Collection, Db } from 'mongodb';
import type { Caller } from '../auth';

/**
 * Created on first sight from what its token says; after that the database, not the token, is the
 * authority on the role, so a revocation takes effect at once even for tokens that say `admin`.
 */
export interface UserDoc {
  _id: string;
  role: Caller['role'];
  suspended: boolean;
  /** Bumped by every change to the user and by every admin action the user takes (see authorizeAdmin). */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export function usersCollection(db: Db): Collection<UserDoc> {
  return db.collection<UserDoc>('users');
}

/** The caller as resolvers see them: the role and suspension come from the database. */
export interface UserView extends Caller {
  suspended: boolean;
}
