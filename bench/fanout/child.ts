import { runFloor } from './floor';
import { runSubscribers } from './subscribers';

/** The bench's child processes: FANOUT_ROLE=subscribers (clients) or floor (the bare `ws` server). */
if (process.env.FANOUT_ROLE === 'floor') runFloor();
else runSubscribers();
