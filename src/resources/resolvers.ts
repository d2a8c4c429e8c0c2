import { requireAdmin, requireCaller } from '../auth/guard';
import type { Resolvers } from '../generated/graphql';

export const resourceResolvers: Resolvers = {
  Query: {
    resource: (_, { id }, { caller, services }) => {
      requireCaller(caller);
      return services.resources.find(id);
    },
    resources: (_, __, { caller, services }) => {
      requireCaller(caller);
      return services.resources.list();
    },
  },
  Mutation: {
    createResource: (_, { input }, { caller, services }) => {
      requireAdmin(caller);
      return services.resources.create(input);
    },
  },
  Resource: {
    id: (resource) => resource._id.toHexString(),
  },
};
