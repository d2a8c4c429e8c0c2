import { requireAdmin, requireCaller } from '../auth';
import type { Resolvers } from '../generated/graphql';

export const userResolvers: Resolvers = {
  Query: {
    me: (_, __, { caller }) => requireCaller(caller),
  },
  Mutation: {
    setUserRole: (_, { input }, { caller, services }) =>
      services.users.setRole(requireAdmin(caller), input.userId, input.role === 'ADMIN' ? 'admin' : 'user'),
    suspendUser: (_, { input }, { caller, services }) => services.users.suspend(requireAdmin(caller), input.userId),
  },
  User: {
    role: (user) => (user.role === 'admin' ? 'ADMIN' : 'USER'),
  },
};
