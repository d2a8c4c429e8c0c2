export { type Lease, type LeaseLocks, leaseLocks, locksCollection, StaleLease } from './lease';
export { type BackgroundJobSettings, leasedJob } from './leasedJob';
