export { type ChangeFeed, startChangeFeed } from './changeFeed';
export { createFanout, type Fanout } from './fanout';
export { availabilityReader, type DateAvailability, MAX_RANGE_DAYS } from './reader';
export { type LiveAvailability, liveAvailability } from './service';
