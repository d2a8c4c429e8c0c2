/** The auth module's test face: the provider-token check on its own, and the role-claim lookup. No `src/` code imports this. */
export { claimAt, identityProviderVerifier } from './identityProvider';
