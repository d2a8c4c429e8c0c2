export { callerFromAuthorization } from './bearer';
export { requireAdmin, requireCaller } from './guard';
export { type IdentityProviderConfig, IDENTITY_PROVIDER_ALGORITHMS } from './identityProvider';
export { DEFAULT_KEY_SET_TIMING, type KeySetTiming } from './keySet';
export { type Caller, isRole, isUserId, loadJwtSecret, MAX_USER_ID_LENGTH, type Role, signToken, verifyToken } from './token';
export { type TokenSettings, type TokenVerifier, tokenVerifier } from './verifier';
export { visibleTo } from './visibility';
