export { callerFromAuthorization } from './bearer';
export { requireAdmin, requireCaller } from './guard';
export { type Caller, isRole, isUserId, loadJwtSecret, MAX_USER_ID_LENGTH, type Role, signToken, verifyToken } from './token';
export { visibleTo } from './visibility';
