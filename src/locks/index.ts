import type { Db } from 'mongodb';
import type { Clock } from '../clock';
import { leaseLocks, locksCollection } from './lease';

export { type Lease, type LeaseLocks, StaleLease } from './lease';
export { type BackgroundJobSettings, leasedJob } from './leasedJob';

export interface LocksDeps {
  db: Db;
  clock: Clock;
}

/** The locks module owns `locks`: fenced lease locks (one document per lock, by `_id`), on which leased jobs run. */
export function locksModule({ db, clock }: LocksDeps) {
  return leaseLocks(locksCollection(db), clock);
}
