export {
  type GroupCommit,
  type GroupCommitObserver,
  type GroupCommitOptions,
  groupCommit,
  OrderFailed,
  type Outcome,
  PlanRefused,
} from './engine';
export { type Lane, lockKeyQueue, type Queued } from './queue';
