import type { Resolvers } from '../generated/graphql';
import { requireCaller } from './guard';

export const authResolvers: Resolvers = {
  Query: {
    me: (_, __, { caller }) => requireCaller(caller),
  },
  User: {
    role: (caller) => (caller.role === 'admin' ? 'ADMIN' : 'USER'),
  },
};
