import type { CodegenConfig } from '@graphql-codegen/cli';

/** Resolver types are generated from schema.graphql; `npm run codegen:check` fails CI when they drift. */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        contextType: '../graphql/context#Context',
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: false },
        scalars: {
          LocalDate: 'string',
          DateTime: 'Date',
          PositiveInt: 'number',
          NonNegativeInt: 'number',
          Currency: 'string',
          SafeInt: 'number',
        },
        mappers: {
          Resource: '../resources/collection#ResourceDocument',
          Hold: '../bookings/collections#HoldDocument',
          DatesHeld: '../bookings/holds#DatesHeldResult',
          DatesUnavailable: '../bookings/holds#DatesUnavailableResult',
          User: '../users/collection#UserView',
          ResourceUpdated: '../resources/service#ResourceUpdatedResult',
          VersionConflict: '../resources/service#VersionConflictResult',
          CapacityBelowClaims: '../resources/service#CapacityBelowClaimsResult',
          Account: '../ledger/collections#AccountDocument',
          LedgerEntry: '../ledger/collections#LedgerEntryDocument',
          Transfer: '../ledger/collections#TransferDocument',
          Deposited: '../ledger/results#DepositedResult',
          Withdrawn: '../ledger/results#WithdrawnResult',
          InsufficientFunds: '../ledger/results#InsufficientFundsResult',
          CurrencyMismatch: '../ledger/results#CurrencyMismatchResult',
          AccountNotFound: '../ledger/results#AccountNotFoundResult',
          TransferCompleted: '../ledger/results#TransferCompletedResult',
          Booking: '../bookings/bookingRecords#BookingDocument',
          TopUpStarted: '../payments/topUps#TopUpStartedResult',
          CheckoutStarted: '../payments/checkout#CheckoutStartedResult',
          HoldExpired: '../payments/checkout#HoldExpiredResult',
          HoldNotFound: '../payments/checkout#HoldNotFoundResult',
          BookingCancelled: '../bookings/cancellation#BookingCancelledResult',
          BookingNotCancellable: '../bookings/cancellation#BookingNotCancellableResult',
          BookingNotFound: '../bookings/cancellation#BookingNotFoundResult',
        },
      },
    },
  },
};

export default config;
