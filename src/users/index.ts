export { type UserDoc, type UserView, usersCollection } from './collection';
export { userResolvers } from './resolvers';
export { type UserService, userService } from './service';
