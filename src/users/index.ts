import type { Db, MongoClient } from 'mongodb';
import type { Clock } from '../clock';
import { usersCollection } from './collection';
import { userService } from './service';

export type { UserView } from './collection';
export type { UserService } from './service';

/**
 * The users module owns `users`: roles and suspension, as the database (not the token) says. It has
 * no index but `_id` and no background work.
 */
export function usersModule({ client, db, clock }: { client: MongoClient; db: Db; clock: Clock }) {
  return userService(usersCollection(db), client, clock);
}
