import type { UserView } from '../users';
import type { Services } from '../services';

/** What every resolver gets: the verified caller (if any) and the services. */
export interface Context {
  caller?: UserView;
  services: Services;
}
