import type { Caller } from '../auth/token';
import type { Services } from '../services';

/** What every resolver gets: the verified caller (if any) and the services. */
export interface Context {
  caller?: Caller;
  services: Services;
}
