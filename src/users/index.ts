export { type UserDoc, type UserView, usersCollection } from './collection';
export { type UserService, userService } from './service';
