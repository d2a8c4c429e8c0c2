import { isRole, isUserId, loadJwtSecret, signToken } from '../src/auth';
import { loadConfig } from '../src/config';

/** npm run token -- <userId> [user|admin]: prints a bearer token the local server accepts. */
const [userId, role = 'user'] = process.argv.slice(2);
if (!isUserId(userId) || !isRole(role)) {
  console.error('usage: npm run token -- <userId: 1 to 200 printable characters> [user|admin]');
  process.exit(2);
}
const config = loadConfig();
if (config.identityProvider) {
  console.error('AUTH_JWKS_URL is set: the server accepts only tokens from the identity provider, not these; get one from it');
  process.exit(2);
}
console.log(await signToken(loadJwtSecret(config.jwtSecret, config.dataDir), { id: userId, role }));
