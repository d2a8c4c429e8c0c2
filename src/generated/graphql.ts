import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { ResourceDocument } from '../resources/collection';
import type { HoldDocument } from '../bookings/collections';
import type { DatesHeldResult, DatesUnavailableResult } from '../bookings/holds';
import type { Caller } from '../auth/token';
import type { Context } from '../graphql/context';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  Currency: { input: string; output: string; }
  DateTime: { input: Date; output: Date; }
  /**
   * The contract of the race-free booking and payments API.
   *
   * Money is always an integer count of minor units (cents) in a `PositiveInt`/`Int` no larger than
   * 2^53 - 1; never a float. Calendar dates are `LocalDate` (YYYY-MM-DD, UTC calendar).
   * Expected business outcomes (a date already taken, ...) are members of `...Payload` unions;
   * bad input and auth failures are GraphQL errors with `extensions.code`.
   */
  LocalDate: { input: string; output: string; }
  NonNegativeInt: { input: number; output: number; }
  PositiveInt: { input: number; output: number; }
};

export type CreateResourceInput = {
  capacity: Scalars['PositiveInt']['input'];
  currency: Scalars['Currency']['input'];
  name: Scalars['String']['input'];
  pricePerDate: Scalars['PositiveInt']['input'];
};

export type DateAvailability = {
  __typename?: 'DateAvailability';
  date: Scalars['LocalDate']['output'];
  remaining: Scalars['NonNegativeInt']['output'];
  status: DateStatus;
  /**
   * Grows with every change to this date (0 while nothing was ever claimed on it). Of two answers
   * for one date, the one with the higher version is the newer; drop the other.
   */
  version: Scalars['NonNegativeInt']['output'];
};

export type DateStatus =
  /** Every unit of capacity is free. */
  | 'AVAILABLE'
  /** All capacity is booked (paid). */
  | 'BOOKED'
  /** All capacity is claimed and at least one claim is an unpaid hold. */
  | 'HELD'
  /** Some capacity is held or booked, some is still free. */
  | 'PARTIALLY_AVAILABLE';

export type DatesHeld = {
  __typename?: 'DatesHeld';
  hold: Hold;
};

/** Nothing was held: these dates had no free capacity left. */
export type DatesUnavailable = {
  __typename?: 'DatesUnavailable';
  dates: Array<Scalars['LocalDate']['output']>;
};

export type Hold = {
  __typename?: 'Hold';
  /** Total price in minor units of `currency`. */
  amount: Scalars['PositiveInt']['output'];
  createdAt: Scalars['DateTime']['output'];
  currency: Scalars['Currency']['output'];
  dates: Array<Scalars['LocalDate']['output']>;
  /** When the hold lapses and its dates become free again, unless it is confirmed first. */
  expiresAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  resourceId: Scalars['ID']['output'];
  status: HoldStatus;
  userId: Scalars['ID']['output'];
};

export type HoldDatesInput = {
  /** 1 to 31 distinct dates, today (UTC) or later. */
  dates: Array<Scalars['LocalDate']['input']>;
  idempotencyKey: Scalars['String']['input'];
  resourceId: Scalars['ID']['input'];
};

export type HoldDatesPayload = DatesHeld | DatesUnavailable;

export type HoldStatus =
  | 'CONFIRMED'
  | 'EXPIRED'
  | 'HELD'
  | 'RELEASED';

export type Mutation = {
  __typename?: 'Mutation';
  /** Admin only. */
  createResource: Resource;
  /**
   * Claims every date or none. Retrying with the same `idempotencyKey` returns the first result;
   * the same key with a different input is refused with `IDEMPOTENCY_KEY_REUSED`.
   */
  holdDates: HoldDatesPayload;
  /** Frees a hold's dates at once. Owner or admin. Releasing a hold that is no longer held is refused. */
  releaseHold: Hold;
};


export type MutationCreateResourceArgs = {
  input: CreateResourceInput;
};


export type MutationHoldDatesArgs = {
  input: HoldDatesInput;
};


export type MutationReleaseHoldArgs = {
  input: ReleaseHoldInput;
};

export type Query = {
  __typename?: 'Query';
  /** Per-date availability of a resource over an inclusive range of at most 366 days. */
  availability: Array<DateAvailability>;
  /** A hold the caller owns (admins see every hold). */
  hold: Maybe<Hold>;
  /** The caller, as the token names them. */
  me: User;
  myHolds: Array<Hold>;
  resource: Maybe<Resource>;
  resources: Array<Resource>;
};


export type QueryAvailabilityArgs = {
  from: Scalars['LocalDate']['input'];
  resourceId: Scalars['ID']['input'];
  to: Scalars['LocalDate']['input'];
};


export type QueryHoldArgs = {
  id: Scalars['ID']['input'];
};


export type QueryResourceArgs = {
  id: Scalars['ID']['input'];
};

export type ReleaseHoldInput = {
  holdId: Scalars['ID']['input'];
};

export type Resource = {
  __typename?: 'Resource';
  /** How many holds or bookings one date can carry at once. */
  capacity: Scalars['PositiveInt']['output'];
  createdAt: Scalars['DateTime']['output'];
  currency: Scalars['Currency']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /** Price of one date in minor units of `currency`. */
  pricePerDate: Scalars['PositiveInt']['output'];
};

export type Role =
  | 'ADMIN'
  | 'USER';

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Every committed change to the availability of `resourceId` on a date in the inclusive range
   * `from`..`to` (at most 366 days), from whichever API instance made it. Changes only: subscribe
   * first, then query `availability`, and keep per date the answer with the highest `version`.
   * Authenticated by `{ authorization: "Bearer <JWT>" }` in the graphql-ws `connection_init` payload.
   */
  availabilityChanged: DateAvailability;
};


export type SubscriptionAvailabilityChangedArgs = {
  from: Scalars['LocalDate']['input'];
  resourceId: Scalars['ID']['input'];
  to: Scalars['LocalDate']['input'];
};

export type User = {
  __typename?: 'User';
  id: Scalars['ID']['output'];
  role: Role;
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;



/** Mapping of union types */
export type ResolversUnionTypes<_RefType extends Record<string, unknown>> = {
  HoldDatesPayload:
    | ( DatesHeldResult )
    | ( DatesUnavailableResult )
  ;
};


/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  CreateResourceInput: CreateResourceInput;
  Currency: ResolverTypeWrapper<Scalars['Currency']['output']>;
  DateAvailability: ResolverTypeWrapper<DateAvailability>;
  DateStatus: DateStatus;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DatesHeld: ResolverTypeWrapper<DatesHeldResult>;
  DatesUnavailable: ResolverTypeWrapper<DatesUnavailableResult>;
  Hold: ResolverTypeWrapper<HoldDocument>;
  HoldDatesInput: HoldDatesInput;
  HoldDatesPayload: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['HoldDatesPayload']>;
  HoldStatus: HoldStatus;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  LocalDate: ResolverTypeWrapper<Scalars['LocalDate']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  NonNegativeInt: ResolverTypeWrapper<Scalars['NonNegativeInt']['output']>;
  PositiveInt: ResolverTypeWrapper<Scalars['PositiveInt']['output']>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  ReleaseHoldInput: ReleaseHoldInput;
  Resource: ResolverTypeWrapper<ResourceDocument>;
  Role: Role;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  User: ResolverTypeWrapper<Caller>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Boolean: Scalars['Boolean']['output'];
  CreateResourceInput: CreateResourceInput;
  Currency: Scalars['Currency']['output'];
  DateAvailability: DateAvailability;
  DateTime: Scalars['DateTime']['output'];
  DatesHeld: DatesHeldResult;
  DatesUnavailable: DatesUnavailableResult;
  Hold: HoldDocument;
  HoldDatesInput: HoldDatesInput;
  HoldDatesPayload: ResolversUnionTypes<ResolversParentTypes>['HoldDatesPayload'];
  ID: Scalars['ID']['output'];
  LocalDate: Scalars['LocalDate']['output'];
  Mutation: Record<PropertyKey, never>;
  NonNegativeInt: Scalars['NonNegativeInt']['output'];
  PositiveInt: Scalars['PositiveInt']['output'];
  Query: Record<PropertyKey, never>;
  ReleaseHoldInput: ReleaseHoldInput;
  Resource: ResourceDocument;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  User: Caller;
};

export interface CurrencyScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Currency'], any> {
  name: 'Currency';
}

export type DateAvailabilityResolvers<ContextType = Context, ParentType extends ResolversParentTypes['DateAvailability'] = ResolversParentTypes['DateAvailability']> = {
  date?: Resolver<ResolversTypes['LocalDate'], ParentType, ContextType>;
  remaining?: Resolver<ResolversTypes['NonNegativeInt'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['DateStatus'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['NonNegativeInt'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DatesHeldResolvers<ContextType = Context, ParentType extends ResolversParentTypes['DatesHeld'] = ResolversParentTypes['DatesHeld']> = {
  hold?: Resolver<ResolversTypes['Hold'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type DatesUnavailableResolvers<ContextType = Context, ParentType extends ResolversParentTypes['DatesUnavailable'] = ResolversParentTypes['DatesUnavailable']> = {
  dates?: Resolver<Array<ResolversTypes['LocalDate']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type HoldResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Hold'] = ResolversParentTypes['Hold']> = {
  amount?: Resolver<ResolversTypes['PositiveInt'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['Currency'], ParentType, ContextType>;
  dates?: Resolver<Array<ResolversTypes['LocalDate']>, ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  resourceId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['HoldStatus'], ParentType, ContextType>;
  userId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type HoldDatesPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['HoldDatesPayload'] = ResolversParentTypes['HoldDatesPayload']> = {
  __resolveType: TypeResolveFn<'DatesHeld' | 'DatesUnavailable', ParentType, ContextType>;
};

export interface LocalDateScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['LocalDate'], any> {
  name: 'LocalDate';
}

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  createResource?: Resolver<ResolversTypes['Resource'], ParentType, ContextType, RequireFields<MutationCreateResourceArgs, 'input'>>;
  holdDates?: Resolver<ResolversTypes['HoldDatesPayload'], ParentType, ContextType, RequireFields<MutationHoldDatesArgs, 'input'>>;
  releaseHold?: Resolver<ResolversTypes['Hold'], ParentType, ContextType, RequireFields<MutationReleaseHoldArgs, 'input'>>;
};

export interface NonNegativeIntScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['NonNegativeInt'], any> {
  name: 'NonNegativeInt';
}

export interface PositiveIntScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['PositiveInt'], any> {
  name: 'PositiveInt';
}

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  availability?: Resolver<Array<ResolversTypes['DateAvailability']>, ParentType, ContextType, RequireFields<QueryAvailabilityArgs, 'from' | 'resourceId' | 'to'>>;
  hold?: Resolver<Maybe<ResolversTypes['Hold']>, ParentType, ContextType, RequireFields<QueryHoldArgs, 'id'>>;
  me?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  myHolds?: Resolver<Array<ResolversTypes['Hold']>, ParentType, ContextType>;
  resource?: Resolver<Maybe<ResolversTypes['Resource']>, ParentType, ContextType, RequireFields<QueryResourceArgs, 'id'>>;
  resources?: Resolver<Array<ResolversTypes['Resource']>, ParentType, ContextType>;
};

export type ResourceResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Resource'] = ResolversParentTypes['Resource']> = {
  capacity?: Resolver<ResolversTypes['PositiveInt'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['Currency'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  pricePerDate?: Resolver<ResolversTypes['PositiveInt'], ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  availabilityChanged?: SubscriptionResolver<ResolversTypes['DateAvailability'], "availabilityChanged", ParentType, ContextType, RequireFields<SubscriptionAvailabilityChangedArgs, 'from' | 'resourceId' | 'to'>>;
};

export type UserResolvers<ContextType = Context, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  role?: Resolver<ResolversTypes['Role'], ParentType, ContextType>;
};

export type Resolvers<ContextType = Context> = {
  Currency?: GraphQLScalarType;
  DateAvailability?: DateAvailabilityResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  DatesHeld?: DatesHeldResolvers<ContextType>;
  DatesUnavailable?: DatesUnavailableResolvers<ContextType>;
  Hold?: HoldResolvers<ContextType>;
  HoldDatesPayload?: HoldDatesPayloadResolvers<ContextType>;
  LocalDate?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  NonNegativeInt?: GraphQLScalarType;
  PositiveInt?: GraphQLScalarType;
  Query?: QueryResolvers<ContextType>;
  Resource?: ResourceResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
};

