import { runFloor } from './floor';
import { runGraphqlWsFloor } from './graphqlWsFloor';
import { runSubscribers } from './subscribers';

/** The bench's child processes: FANOUT_ROLE=subscribers (clients), floor (the bare `ws` server) or graphql-ws (stock graphql-ws). */
if (process.env.FANOUT_ROLE === 'floor') runFloor();
else if (process.env.FANOUT_ROLE === 'graphql-ws') runGraphqlWsFloor();
else runSubscribers();
